import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { errorResponse, HttpError } from './errors.js';
import type { FetchHandler } from './handler.js';

export type NodeRequest = IncomingMessage | Http2ServerRequest;
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** Bytes of request body buffered ahead of the handler before the socket is paused. */
const BODY_HIGH_WATER_MARK = 64 * 1024;

/**
 * Serves a fetch handler on node's `request` event (http, https and the
 * http2 compatibility API alike).
 *
 * Why not @whatwg-node/server's `createServerAdapter`: probed with 0.13 on
 * Node 20 (it declares node >= 22.15), a request body the handler stops
 * reading early — a 413 on a chunked body, a bad NDJSON line — either reset
 * the connection (its `body.cancel()` destroys the IncomingMessage) or left
 * the keep-alive socket unusable for the next request. Here an unread rest
 * is drained and discarded, so the connection survives, as node itself does.
 */
export function nodeListener(handler: FetchHandler, origin: () => string) {
  return (req: NodeRequest, res: NodeResponse): void => {
    serveOne(handler, origin, req, res).catch(() => {
      // Only a broken socket gets here (headers already sent, write failed): drop it.
      res.destroy();
    });
  };
}

async function serveOne(handler: FetchHandler, origin: () => string, req: NodeRequest, res: NodeResponse) {
  // 1. The client going away before the whole response was handed to node aborts the handler's
  //    signal. `writableEnded` (end() called), not 'finish': http2's compatibility response emits
  //    'finish' even when the client reset the stream (RST_STREAM) mid-body.
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableEnded) abort.abort();
  });
  // 2. Node request → fetch Request, the body streamed with backpressure.
  const body = hasBody(req) ? bodyStream(req) : undefined;
  let response: Response;
  try {
    const request = toRequest(req, origin(), abort.signal, body?.stream);
    response = await handler(request);
  } catch (error) {
    response = errorResponse(error);
  }
  // 3. Response → node, then discard whatever body the handler left unread.
  await send(response, res, abort.signal);
  body?.discard();
}

function hasBody(req: NodeRequest): boolean {
  return req.method !== 'GET' && req.method !== 'HEAD';
}

function toRequest(req: NodeRequest, origin: string, signal: AbortSignal, body?: ReadableStream): Request {
  const path = req.url ?? '';
  // Origin-form only: an absolute or `*` target would let the client pick the URL's host.
  if (!path.startsWith('/') || path.startsWith('//')) {
    throw HttpError.badRequest(`request target: expected a path starting with /, got "${path}"`);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const init: RequestInit & { duplex?: 'half' } = { method: req.method ?? 'GET', headers, signal };
  if (body) {
    init.body = body;
    init.duplex = 'half';
  }
  return new Request(`${origin}${path}`, init);
}

/**
 * The request body as a web stream. Node pauses the socket whenever the
 * stream's queue is full and resumes when the handler pulls, so a slow
 * consumer slows the sender. `discard()` detaches the stream and lets node
 * drain the rest, which keeps a keep-alive connection usable.
 */
function bodyStream(req: NodeRequest): { stream: ReadableStream<Uint8Array>; discard(): void } {
  let settled = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const onData = (chunk: Buffer): void => {
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  };
  const settle = (end: () => void): void => {
    if (settled) return;
    settled = true;
    try {
      end();
    } catch {
      // Already cancelled by the handler: nothing is listening.
    }
  };
  const discard = (): void => {
    req.off('data', onData);
    settle(() => controller.error(new Error('request body discarded')));
    req.resume();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        req.on('data', onData);
        req.once('end', () => settle(() => controller.close()));
        req.once('error', (error) => settle(() => controller.error(error)));
        req.once('close', () => settle(() => controller.error(new Error('request aborted by the client'))));
      },
      pull() {
        req.resume();
      },
      cancel() {
        settled = true;
        discard();
      },
    },
    { highWaterMark: BODY_HIGH_WATER_MARK, size: (chunk) => chunk.byteLength },
  );
  return { stream, discard };
}

/**
 * Writes a fetch Response to node. A body with a known length goes in one
 * write; a stream is pumped chunk by chunk, waiting for `drain` whenever node
 * buffers, and cancelled when the client goes away (which stops its source).
 */
async function send(response: Response, res: NodeResponse, gone: AbortSignal): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    res.setHeader(name, value);
  });
  if (!response.body) return void res.end();
  if (response.headers.has('content-length')) {
    return void res.end(Buffer.from(await response.arrayBuffer()));
  }
  const reader = response.body.getReader();
  const stop = (): void => {
    reader.cancel().catch(() => {});
  };
  gone.addEventListener('abort', stop, { once: true });
  try {
    while (!gone.aborted) {
      const { done, value } = await reader.read();
      if (done) return void res.end();
      // http and http2 responses share write()'s contract; only their TypeScript overloads differ.
      if (!(res as ServerResponse).write(value)) await drained(res, gone);
    }
  } finally {
    gone.removeEventListener('abort', stop);
  }
}

function drained(res: NodeResponse, gone: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      gone.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    gone.addEventListener('abort', done, { once: true });
  });
}
