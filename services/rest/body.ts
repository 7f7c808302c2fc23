import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { HttpError } from './errors.js';
import { chunksOf, NdjsonError, ndjsonLines } from './ndjson.js';
import { messageFromJsonText } from './request-message.js';

/** Refuses a body whose media type is not the one the route speaks (415), before reading a byte. */
export function requireMediaType(request: Request, expected: string): void {
  const header = request.headers.get('content-type');
  const got = header?.split(';', 1)[0]?.trim().toLowerCase();
  if (got !== expected) {
    throw new HttpError(415, 'UNIMPLEMENTED', `content-type: expected ${expected}, got ${header ?? 'none'}`);
  }
}

/**
 * Reads a whole body as text, never holding more than `maxBytes`: a declared
 * Content-Length over the cap is refused unread, and a chunked body is
 * counted as it arrives and cut off as soon as it passes the cap.
 */
export async function readCappedText(request: Request, maxBytes: number): Promise<string> {
  // 1. Trust a declared length only to refuse early; the count below is what enforces.
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw HttpError.tooLarge(maxBytes, `${declared} (Content-Length)`);
  if (!request.body) return '';
  // 2. Count while reading; leaving the loop early cancels the rest of the body.
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunksOf(request.body)) {
    total += chunk.byteLength;
    if (total > maxBytes) throw HttpError.tooLarge(maxBytes, `more (${total} bytes read so far)`);
    parts.push(chunk);
  }
  // 3. Decode strictly: invalid UTF-8 is the caller's error, not replacement characters.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(parts, total));
  } catch {
    throw HttpError.badRequest('body: expected UTF-8 text, got invalid bytes');
  }
}

/**
 * An NDJSON body as messages, parsed line by line while it streams in, so
 * a long import never sits in memory whole. The size cap applies per line
 * (per message, like gRPC's max message length): a bulk import may be longer
 * than any single request body. A bad line fails with its line number.
 */
export async function* ndjsonMessages<Desc extends DescMessage>(
  request: Request,
  schema: Desc,
  maxLineBytes: number,
): AsyncGenerator<MessageShape<Desc>> {
  if (!request.body) return;
  try {
    for await (const line of ndjsonLines(chunksOf(request.body), maxLineBytes)) {
      yield messageFromJsonText(schema, line.text, `line ${line.number}`);
    }
  } catch (error) {
    if (!(error instanceof NdjsonError)) throw error;
    if (error.kind === 'too-long') throw new HttpError(413, 'RESOURCE_EXHAUSTED', error.message);
    throw HttpError.badRequest(error.message);
  }
}
