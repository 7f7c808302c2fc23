import type {
  UniversalHandlerFn,
  UniversalServerRequest,
  UniversalServerResponse,
} from '@connectrpc/connect/protocol';
import type { IncomingHeaders, ServerHttp3Stream, StreamFlags } from '@currentspace/http3';
import {
  drained,
  first,
  requestFields,
  requestPath,
  responseFields,
  serveRequestStream,
} from './stream-io.js';

/** Request body bytes buffered ahead of the handler before the stream is paused. */
const BODY_HIGH_WATER_MARK = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * Serves one HTTP/3 request stream with a connect-es universal handler
 * (the HTTP abstraction every connect-es protocol handler is written
 * against). Why not the fetch bridge (fetch-stream.ts): a fetch Response
 * cannot carry HTTP trailers, and the gRPC protocol puts its status there.
 * Here the response goes HEADERS → DATA… → trailing HEADERS (`sendTrailers`)
 * on the stream itself, so Connect, gRPC-Web and gRPC share one h3 path.
 *
 * Full duplex: the request body is pulled as the handler reads it while
 * response messages are written as they are produced (bidi streams work);
 * the handler's signal aborts when the client resets the stream. Resolves
 * once the whole response was handed to QUIC (or the stream died); never rejects.
 */
export function serveUniversalStream(
  handler: UniversalHandlerFn,
  stream: ServerHttp3Stream,
  headers: IncomingHeaders,
  flags: StreamFlags,
  origin: string,
): Promise<void> {
  return serveRequestStream<RequestBody, UniversalServerResponse>(stream, {
    openBody: (source) => (flags.endStream ? undefined : requestBody(source)),
    handle: (body, gone) => handler(toRequest(headers, origin, gone, body)),
    failure: (status, message) => ({ status, body: once(Buffer.from(message)) }),
    send,
  });
}

async function* once(chunk: Uint8Array): AsyncGenerator<Uint8Array> {
  yield chunk;
}

function toRequest(
  headers: IncomingHeaders,
  origin: string,
  signal: AbortSignal,
  body: RequestBody | undefined,
): UniversalServerRequest {
  const path = requestPath(headers);
  return {
    // connect-es only asks whether it is HTTP/1.x (no bidi there).
    httpVersion: '3',
    method: first(headers[':method']) ?? 'GET',
    url: `${origin}${path}`,
    header: requestFields(headers),
    body: body ?? (async function* () {})(),
    signal,
  };
}

interface RequestBody extends AsyncIterable<Uint8Array> {
  /** Detaches the reader and lets whatever the client still sends drain away. */
  discard(): void;
}

/**
 * The request body as an async iterable pulled by the handler: the stream
 * resumes only while the queue is below the high-water mark, so QUIC flow
 * control slows a sender the handler does not keep up with. Hand-written
 * rather than `stream.iterator()`: that one keeps its 'readable' listener
 * when the handler abandons it mid-body, and then `resume()` cannot drain
 * the rest.
 */
function requestBody(source: ServerHttp3Stream): RequestBody {
  const queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const onData = (chunk: Buffer): void => {
    queue.push(chunk);
    queued += chunk.byteLength;
    if (queued >= BODY_HIGH_WATER_MARK) source.pause();
    notify();
  };
  source.on('data', onData);
  source.once('end', () => {
    ended = true;
    notify();
  });
  source.once('close', () => {
    if (!ended) failure ??= new Error('http3: request aborted by the client');
    notify();
  });
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const chunk = queue.shift();
        if (chunk) {
          queued -= chunk.byteLength;
          yield chunk;
          continue;
        }
        if (ended) return;
        if (failure) throw failure;
        // Attaching 'data' to a paused stream does not resume it: asking for more does.
        source.resume();
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    discard: () => {
      source.off('data', onData);
      queue.length = 0;
      ended = true;
      notify();
      source.resume();
    },
  };
}

/**
 * Writes a universal response: HEADERS; the body chunk by chunk, waiting for
 * `drain`; then the trailers, if any, once every DATA byte was taken by the
 * native side (trailers jump no queue); then FIN. A body of known length
 * (Connect unary) goes as one HEADERS+DATA+FIN call. Stops when the client
 * goes away, which also ends the handler through its signal.
 */
async function send(
  response: UniversalServerResponse,
  stream: ServerHttp3Stream,
  gone: AbortSignal,
): Promise<void> {
  const it = response.body?.[Symbol.asyncIterator]();
  try {
    if (gone.aborted) return;
    const head = responseFields(response.status, response.header);
    if (!it) {
      if (!hasFields(response.trailer)) return stream.respondWithBody(head, EMPTY);
      stream.respond(head);
      return finish(stream, response.trailer, Promise.resolve());
    }
    if (response.header?.has('content-length') && !hasFields(response.trailer)) {
      const chunks: Uint8Array[] = [];
      for (let r = await it.next(); r.done !== true; r = await it.next()) chunks.push(r.value);
      return stream.respondWithBody(head, Buffer.concat(chunks));
    }
    // Headers go out with the first chunk (the handler may still set headers until then).
    let r = await it.next();
    stream.respond(head);
    let lastWrite = Promise.resolve();
    while (r.done !== true && !gone.aborted) {
      const written = writeChunk(stream, r.value);
      lastWrite = written.done;
      if (!written.ok) await drained(stream, gone);
      r = await it.next();
    }
    // Read only now: connect-es fills the trailers (the gRPC status) as the body ends.
    if (!gone.aborted) await finish(stream, response.trailer, lastWrite);
  } finally {
    await it?.return?.().catch(() => {});
  }
}

/** Sends the trailers (when there are any) after the last DATA byte was accepted, then ends the writable side. */
async function finish(
  stream: ServerHttp3Stream,
  trailer: Headers | undefined,
  lastWrite: Promise<void>,
): Promise<void> {
  await lastWrite;
  if (stream.destroyed) return;
  // sendTrailers carries FIN; end() then only closes the Duplex's writable side.
  if (hasFields(trailer)) stream.sendTrailers(responseFields(undefined, trailer));
  stream.end();
}

function hasFields(header: Headers | undefined): header is Headers {
  if (!header) return false;
  for (const _ of header.keys()) return true;
  return false;
}

/**
 * Writes one chunk; `done` settles when the native side took all of it (it
 * rejects if the stream died first — only the last write's is awaited, so
 * each gets a handler here and no rejection goes unhandled).
 */
function writeChunk(stream: ServerHttp3Stream, chunk: Uint8Array): { ok: boolean; done: Promise<void> } {
  let ok = false;
  const done = new Promise<void>((resolve, reject) => {
    ok = stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
  done.catch(() => {});
  return { ok, done };
}
