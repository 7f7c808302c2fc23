import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { equals } from '@bufbuild/protobuf';
import { Bench, type Task } from 'tinybench';
import type { SerializationRecord } from '../results/schema.js';
import { FORMATS, type FormatName } from './formats.js';
import { sampleMessages } from './messages.js';

/** Compression settings, stated with every figure: gzip's default, brotli as servers use it on the fly and at its maximum. */
export const COMPRESSION = { gzipLevel: 6, brotliQuality: 4, brotliMaxQuality: 11 } as const;

export interface SerializationOptions {
  readonly seed: number;
  /** Time budget per task (encode or decode of one message in one format), ms. */
  readonly timeMs: number;
  /** Minimum iterations per task (tinybench's default is 64; large messages take tens of ms each). */
  readonly minIterations?: number;
  readonly messages?: readonly string[];
  readonly formats?: readonly FormatName[];
  /** Also compress at brotli's maximum quality (seconds per megabyte: off inside bench:protocols). */
  readonly brotliMax?: boolean;
  readonly signal?: AbortSignal;
}

/** A contract record plus how it was measured. */
export interface SerializationResult extends SerializationRecord {
  /** Brotli at its maximum quality; null when not computed (it costs seconds per megabyte). */
  readonly brotliMaxBytes: number | null;
  readonly gzipLevel: number;
  readonly brotliQuality: number;
  readonly encode: TimingStats;
  readonly decode: TimingStats;
}

export interface TimingStats {
  readonly meanNs: number;
  readonly p50Ns: number;
  readonly p99Ns: number;
  /** Relative margin of error of the mean, in percent (tinybench, 95% confidence). */
  readonly rmePct: number;
  readonly samples: number;
}

/**
 * Encode/decode cost and sizes of the domain messages in each wire format.
 * Every round trip is verified (decode(encode(m)) equals m) before timing:
 * a format that loses data gets an error, not a number. Timing by tinybench
 * with warm-up; sizes raw, gzip and brotli.
 */
export async function runSerializationBench(options: SerializationOptions): Promise<SerializationResult[]> {
  const messages = (await sampleMessages(options.seed)).filter(
    (m) => !options.messages || options.messages.includes(m.name),
  );
  const formats = FORMATS.filter((f) => !options.formats || options.formats.includes(f.name));
  const out: SerializationResult[] = [];
  for (const sample of messages) {
    for (const format of formats) {
      // 1. Round trip first: a lossy format is a bug, not a result.
      const encoded = format.encode(sample.schema, sample.message);
      const decoded = format.decode(sample.schema, encoded);
      if (!equals(sample.schema, decoded, sample.message)) {
        throw new Error(
          `${format.name}/${sample.name}: expected decode(encode(m)) to equal m, got a different message`,
        );
      }
      const bytes = typeof encoded === 'string' ? Buffer.from(encoded) : Buffer.from(encoded);
      // 2. Time encode and decode.
      const bench = new Bench({
        time: options.timeMs,
        warmupTime: Math.min(100, options.timeMs),
        warmupIterations: Math.min(16, options.minIterations ?? 16),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      bench.add('encode', () => {
        format.encode(sample.schema, sample.message);
      });
      bench.add('decode', () => {
        format.decode(sample.schema, encoded);
      });
      await bench.run();
      const [encodeTask, decodeTask] = bench.tasks;
      out.push({
        message: sample.name,
        format: format.name,
        bytes: bytes.byteLength,
        gzipBytes: gzipSync(bytes, { level: COMPRESSION.gzipLevel }).byteLength,
        brotliBytes: brotli(bytes, COMPRESSION.brotliQuality),
        brotliMaxBytes: options.brotliMax ? brotli(bytes, COMPRESSION.brotliMaxQuality) : null,
        gzipLevel: COMPRESSION.gzipLevel,
        brotliQuality: COMPRESSION.brotliQuality,
        encodeNs: stats(encodeTask, `${format.name}/${sample.name} encode`).meanNs,
        decodeNs: stats(decodeTask, `${format.name}/${sample.name} decode`).meanNs,
        encode: stats(encodeTask, `${format.name}/${sample.name} encode`),
        decode: stats(decodeTask, `${format.name}/${sample.name} decode`),
      });
    }
  }
  return out;
}

function brotli(bytes: Buffer, quality: number): number {
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
    },
  }).byteLength;
}

function stats(task: Task | undefined, label: string): TimingStats {
  const result = task?.result;
  if (!result || (result.state !== 'completed' && result.state !== 'aborted-with-statistics')) {
    throw new Error(`${label}: expected completed timings, got ${result?.state ?? 'no task'}`);
  }
  const latency = result.latency;
  return {
    meanNs: latency.mean * 1e6,
    p50Ns: latency.p50 * 1e6,
    p99Ns: latency.p99 * 1e6,
    rmePct: latency.rme,
    samples: latency.samplesCount,
  };
}
