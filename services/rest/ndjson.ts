/**
 * NDJSON framing shared by the REST server (import bodies) and client (event
 * streams): split a byte stream on `\n`, one UTF-8 JSON text per line.
 */

/** A framing failure, with the 1-based line it happened on, for error messages that point at the input. */
export class NdjsonError extends Error {
  override readonly name = 'NdjsonError';
  constructor(
    readonly kind: 'too-long' | 'bad-utf8',
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export interface NdjsonLine {
  readonly text: string;
  /** 1-based, counting blank lines too, so it matches what an editor shows. */
  readonly number: number;
}

const NEWLINE = 0x0a;

/**
 * Yields the non-blank lines of a byte stream as it arrives, holding at most
 * one partial line in memory. A line longer than `maxLineBytes` fails before
 * it is buffered further, so a missing newline cannot exhaust memory.
 */
export async function* ndjsonLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<NdjsonLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let number = 0;
  const take = (tail: Uint8Array): NdjsonLine | undefined => {
    // Join the held parts with this tail into one line and decode it.
    number++;
    const bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new NdjsonError('bad-utf8', number, `line ${number}: expected UTF-8 text, got invalid bytes`);
    }
    return text.trim() === '' ? undefined : { text, number };
  };
  const ensureFits = (more: number): void => {
    if (pendingBytes + more <= maxLineBytes) return;
    const n = number + 1;
    throw new NdjsonError('too-long', n, `line ${n}: expected at most ${maxLineBytes} bytes, got more`);
  };
  for await (const chunk of chunks) {
    // 1. Every complete line in this chunk, the first one joined to what was held.
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const part = chunk.subarray(start, nl);
      ensureFits(part.byteLength);
      const line = take(part);
      start = nl + 1;
      if (line) yield line;
    }
    // 2. The unterminated rest waits for the next chunk.
    const rest = chunk.subarray(start);
    ensureFits(rest.byteLength);
    if (rest.byteLength > 0) {
      pending.push(rest);
      pendingBytes += rest.byteLength;
    }
  }
  // 3. A last line without a trailing newline still counts.
  if (pendingBytes > 0) {
    const line = take(new Uint8Array(0));
    if (line) yield line;
  }
}

/** A web ReadableStream as an async iterable that cancels the stream when the consumer stops early. */
export async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let finished = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    if (!finished) reader.cancel().catch(() => {});
  }
}
