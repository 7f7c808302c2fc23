import { createHash } from 'node:crypto';
import { type DescMessage, type MessageShape, toJson } from '@bufbuild/protobuf';
import { REST_MEDIA } from '../../schemas/rest-binding.js';
import { CoreError } from '../core/index.js';
import { errorText, HttpError, statusOf } from './errors.js';

const encoder = new TextEncoder();

/** Every field emitted: payload sizes are then the same whatever the values, and clients see defaults. */
const JSON_OPTIONS = { alwaysEmitImplicit: true } as const;

/** One message as protobuf JSON, with an explicit length so the HTTP layer can send it in one write. */
export function jsonResponse<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  status: number,
): Response {
  const bytes = encoder.encode(JSON.stringify(toJson(schema, message, JSON_OPTIONS)));
  return new Response(bytes, {
    status,
    headers: { 'content-type': REST_MEDIA.json, 'content-length': String(bytes.byteLength) },
  });
}

/**
 * A cacheable GET answer: a strong ETag over the exact body bytes, and
 * `no-cache` so caches revalidate. When the request's If-None-Match already
 * names that ETag, 304 with no body — the bytes a conditional GET saves are
 * what the bench can then show on the wire.
 */
export function cacheableJsonResponse<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  ifNoneMatch: string | null,
): Response {
  const bytes = encoder.encode(JSON.stringify(toJson(schema, message, JSON_OPTIONS)));
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
  const headers = { etag, 'cache-control': 'no-cache' };
  if (ifNoneMatch?.split(',').some((tag) => matches(tag.trim(), etag))) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(bytes, {
    status: 200,
    headers: { ...headers, 'content-type': REST_MEDIA.json, 'content-length': String(bytes.byteLength) },
  });
}

/** If-None-Match uses weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored, `*` matches any. */
function matches(tag: string, etag: string): boolean {
  return tag === '*' || tag.replace(/^W\//, '') === etag;
}

/**
 * A server stream as NDJSON. The body is pull-based: the next event is
 * produced only when the transport has taken the previous one, so a slow
 * reader slows the generator instead of filling memory. When the client goes
 * away the body is cancelled, which aborts `abort` (the core's signal) and
 * closes the generator. The first event is produced by the caller before the
 * status is sent, so validation errors still get a proper 4xx; an error after
 * that can only be reported in-band, as a final `{"error":…}` line.
 */
export function ndjsonResponse<Desc extends DescMessage>(
  schema: Desc,
  first: MessageShape<Desc> | undefined,
  events: AsyncGenerator<MessageShape<Desc>>,
  abort: AbortController,
): Response {
  let pending: MessageShape<Desc> | undefined = first;
  const line = (message: MessageShape<Desc>): Uint8Array =>
    encoder.encode(`${JSON.stringify(toJson(schema, message, JSON_OPTIONS))}\n`);
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending) {
          controller.enqueue(line(pending));
          pending = undefined;
          return;
        }
        try {
          const next = await events.next();
          if (abort.signal.aborted) return closeQuietly(controller);
          if (next.done) controller.close();
          else controller.enqueue(line(next.value));
        } catch (error) {
          if (abort.signal.aborted) return closeQuietly(controller);
          // Headers are gone: the failure becomes the stream's last line.
          controller.enqueue(encoder.encode(`${inBandError(error)}\n`));
          controller.close();
        }
      },
      cancel() {
        abort.abort();
        events.return(undefined).catch(() => {});
      },
    },
    { highWaterMark: 1 },
  );
  return new Response(body, { status: 200, headers: { 'content-type': REST_MEDIA.ndjson } });
}

/** After a cancel the stream is already closed and `close()` would throw; either way it ends here. */
function closeQuietly(controller: ReadableStreamDefaultController<Uint8Array>): void {
  try {
    controller.close();
  } catch {}
}

function inBandError(error: unknown): string {
  if (error instanceof CoreError || error instanceof HttpError) {
    return errorText(error.code, error.message, statusOf(error.code));
  }
  return errorText('INTERNAL', 'internal error', 500);
}
