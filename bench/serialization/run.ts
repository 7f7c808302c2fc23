import { equals } from '@bufbuild/protobuf';
import type { SerializationRecord } from '../results/schema.js';
import { type Codec, FORMATS, type FormatName } from './formats.js';
import { type MessageName, type SampleMessage, sampleMessages } from './messages.js';
import { COMPRESSION, measureSizes } from './sizes.js';
import { type TimingStats, timeCodec } from './timing.js';

export interface SerializationOptions {
  readonly seed: number;
  /** Minimum measuring time per task (the encode, or the decode, of one message in one format), ms. */
  readonly timeMs: number;
  /** Minimum iterations per task (default 64, tinybench's); large messages take tens of ms each. */
  readonly minIterations?: number;
  /** Default: all of them. */
  readonly messages?: readonly MessageName[];
  /** Default: all of them. */
  readonly formats?: readonly FormatName[];
  /** Also compress at brotli's maximum quality (seconds per megabyte; off unless asked). */
  readonly brotliMax?: boolean;
  /** Stops between and inside tasks; the records finished so far are returned. */
  readonly signal?: AbortSignal;
  /** Called before each (message, format) is timed, e.g. for a progress line. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

/** A contract record (results.json `serialization`) plus how it was measured. */
export interface SerializationResult extends SerializationRecord {
  readonly message: MessageName;
  readonly format: FormatName;
  readonly gzipLevel: number;
  readonly brotliQuality: number;
  /** Size at brotli quality {@link brotliMaxQuality}; null when not computed. */
  readonly brotliMaxBytes: number | null;
  readonly brotliMaxQuality: number;
  /** `encodeNs` is `encode.meanNs`; here with p50, p99, rme and sample count. */
  readonly encode: TimingStats;
  readonly decode: TimingStats;
}

interface Cell {
  readonly sample: SampleMessage;
  readonly format: FormatName;
  readonly codec: Codec;
  readonly encoded: Uint8Array;
}

/**
 * Sizes and encode/decode cost of the sample messages in each wire format,
 * with no transport involved. Three steps: every round trip is checked first
 * (a format that loses data is a bug, not a result), then every payload is
 * sized, then each cell is timed on its own with tinybench.
 */
export async function runSerializationBench(options: SerializationOptions): Promise<SerializationResult[]> {
  const samples = (await sampleMessages(options.seed)).filter(
    (m) => !options.messages || options.messages.includes(m.name),
  );
  const formats = FORMATS.filter((f) => !options.formats || options.formats.includes(f.name));

  // 1. Round trips: decode(encode(m)) must equal m in every cell before anything is measured.
  const cells: Cell[] = [];
  for (const sample of samples) {
    for (const format of formats) {
      const codec = format.codec(sample);
      const encoded = codec.encode(sample.message);
      if (!equals(sample.schema, codec.decode(encoded), sample.message)) {
        throw new Error(
          `${sample.name}/${format.name}: expected decode(encode(m)) to equal m, got a different ${sample.schema.name}`,
        );
      }
      cells.push({ sample, format: format.name, codec, encoded });
    }
  }

  // 2. Sizes, all at once on the thread pool (nothing is being timed yet).
  const sizes = await Promise.all(cells.map((c) => measureSizes(c.encoded, options.brotliMax ?? false)));

  // 3. Timing, one cell after another.
  const out: SerializationResult[] = [];
  for (const [i, cell] of cells.entries()) {
    const size = sizes[i];
    if (!size || options.signal?.aborted) break;
    const { sample, codec, encoded } = cell;
    const label = `${sample.name}/${cell.format}`;
    options.onProgress?.(i, cells.length, label);
    const timing = await timeCodec(
      label,
      () => codec.encode(sample.message),
      () => codec.decode(encoded),
      {
        timeMs: options.timeMs,
        minIterations: options.minIterations ?? 64,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    if (timing.state === 'aborted') break;
    out.push({
      message: sample.name,
      format: cell.format,
      ...size,
      gzipLevel: COMPRESSION.gzipLevel,
      brotliQuality: COMPRESSION.brotliQuality,
      brotliMaxQuality: COMPRESSION.brotliMaxQuality,
      encodeNs: timing.encode.meanNs,
      decodeNs: timing.decode.meanNs,
      encode: timing.encode,
      decode: timing.decode,
    });
  }
  return out;
}
