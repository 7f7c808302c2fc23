import type { IncomingHeaders, ServerHttp3Stream, StreamFlags } from '@currentspace/http3';
import {
  drained,
  first,
  requestFields,
  requestPath,
  responseFields,
  serveRequestStream,
} from './stream-io.js';

/** The fetch-API shape every adapter in this project serves (REST, GraphQL, Connect). */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Request body bytes buffered ahead of the handler before the stream is paused. */
const BODY_HIGH_WATER_MARK = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * Serves one HTTP/3 request stream with a fetch handler.
 *
 * Why not the package's own `createFetchHandler`: it reads the request body
 * in flowing mode with no backpressure and keeps buffering a body the
 * handler stopped reading (a 413, a bad NDJSON line). Here the body is
 * pull-based, the unread rest is discarded, and the handler's signal aborts
 * when the client resets the stream — the same contract as the node:http
 * bridge in services/rest/node-bridge.ts. Resolves when the whole response
 * was handed to QUIC (or the stream died); never rejects.
 */
export function serveStream(
  handler: FetchHandler,
  stream: ServerHttp3Stream,
  headers: IncomingHeaders,
  flags: StreamFlags,
  origin: string,
): Promise<void> {
  const method = first(headers[':method']) ?? 'GET';
  return serveRequestStream(stream, {
    openBody: (source) =>
      method !== 'GET' && method !== 'HEAD' && !flags.endStream ? bodyStream(source) : undefined,
    handle: async (body, gone) => handler(toRequest(headers, method, origin, gone, body?.stream)),
    failure: (status, message) => new Response(message, { status }),
    send,
  });
}

function toRequest(
  headers: IncomingHeaders,
  method: string,
  origin: string,
  signal: AbortSignal,
  body: ReadableStream<Uint8Array> | undefined,
): Request {
  const path = requestPath(headers);
  const init: RequestInit & { duplex?: 'half' } = { method, headers: requestFields(headers), signal };
  if (body) {
    init.body = body;
    init.duplex = 'half';
  }
  return new Request(`${origin}${path}`, init);
}

/**
 * The request body as a web stream: the node stream resumes only when the
 * handler pulls and pauses when the queue is full, so QUIC flow control
 * slows the sender. `discard()` detaches it and lets the rest drain away.
 */
function bodyStream(source: ServerHttp3Stream): { stream: ReadableStream<Uint8Array>; discard(): void } {
  let settled = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const onData = (chunk: Buffer): void => {
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) source.pause();
  };
  const settle = (end: () => void): void => {
    if (settled) return;
    settled = true;
    try {
      end();
    } catch {
      // Already cancelled by the handler: nobody is listening.
    }
  };
  const discard = (): void => {
    source.off('data', onData);
    settle(() => controller.error(new Error('request body discarded')));
    source.resume();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        // Attaching 'data' to a paused stream does not resume it: pull() does.
        source.on('data', onData);
        source.once('end', () => settle(() => controller.close()));
        source.once('error', (error) => settle(() => controller.error(error)));
        source.once('close', () =>
          settle(() => controller.error(new Error('request aborted by the client'))),
        );
      },
      pull() {
        source.resume();
      },
      cancel() {
        discard();
      },
    },
    { highWaterMark: BODY_HIGH_WATER_MARK, size: (chunk) => chunk.byteLength },
  );
  return { stream, discard };
}

/**
 * Writes a fetch Response: no body → HEADERS and FIN; a known length → one
 * HEADERS+DATA+FIN call; a stream → chunk by chunk, waiting for `drain`, and
 * cancelled when the client goes away (which stops its source).
 */
async function send(response: Response, stream: ServerHttp3Stream, gone: AbortSignal): Promise<void> {
  if (gone.aborted) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  const headers = responseFields(response.status, response.headers);
  // respondWithBody also ends the writable side ('finish', then 'close'); respond(…, endStream) would not.
  if (!response.body) return stream.respondWithBody(headers, EMPTY);
  if (response.headers.has('content-length')) {
    return stream.respondWithBody(headers, Buffer.from(await response.arrayBuffer()));
  }
  stream.respond(headers);
  const reader = response.body.getReader();
  const stop = (): void => {
    reader.cancel().catch(() => {});
  };
  gone.addEventListener('abort', stop, { once: true });
  try {
    while (!gone.aborted) {
      const { done, value } = await reader.read();
      if (done) return void stream.end();
      if (!stream.write(value)) await drained(stream, gone);
    }
  } finally {
    gone.removeEventListener('abort', stop);
  }
}
