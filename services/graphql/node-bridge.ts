import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

export type NodeRequest = IncomingMessage | Http2ServerRequest;
export type NodeResponse = ServerResponse | Http2ServerResponse;
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Connection-level headers: meaningless across the bridge, and forbidden in HTTP/2 responses. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);
/** Request headers the fetch Request sets itself from the URL and the body. */
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'content-length', 'http2-settings']);

/**
 * Serves a fetch handler (the yoga instance) on node's `request` event, for
 * http, https and the http2 compatibility API alike.
 *
 * Why not yoga's own node adapter (@whatwg-node/server): probed by the REST
 * adapter on Node 20, a body the handler refuses unread (a 413) reset or
 * wedged the keep-alive connection, and on HTTP/2 it sets a status message
 * node warns about. GraphQL bodies are small and parsed whole anyway, so
 * here the body is buffered — at most `maxBodyBytes + 1` bytes, the rest is
 * drained and dropped so the connection stays usable — and yoga's own size
 * limit then answers 413.
 */
export function nodeListener(handler: FetchHandler, origin: () => string, maxBodyBytes: number) {
  return (req: NodeRequest, res: NodeResponse): void => {
    serveOne(handler, origin(), maxBodyBytes, req, res).catch(() => {
      // Only a broken exchange gets here (client gone, write failed): drop it.
      res.destroy();
    });
  };
}

async function serveOne(
  handler: FetchHandler,
  origin: string,
  maxBodyBytes: number,
  req: NodeRequest,
  res: NodeResponse,
): Promise<void> {
  // 1. The client going away before the response finished aborts the handler (and a subscription).
  const gone = new AbortController();
  // `writableEnded` (the handler ended the response), not `writableFinished`: an HTTP/2
  // response whose stream the client reset reads as finished although it never ended.
  res.once('close', () => {
    if (!res.writableEnded) gone.abort();
  });
  // 2. Node request → fetch Request with the (capped) body.
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readCapped(req, maxBodyBytes);
  const request = new Request(`${origin}${req.url ?? '/'}`, {
    method,
    headers: requestHeaders(req),
    signal: gone.signal,
    ...(body ? { body } : {}),
  });
  // 3. Response → node.
  await send(await handler(request), res, gone.signal);
}

function requestHeaders(req: NodeRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(':') || value === undefined || NOT_FORWARDED.has(name)) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}

/**
 * The body, or its first `max + 1` bytes when it is longer (enough for the
 * handler to see it is too large). Past the cap the rest is read and
 * discarded, so an HTTP/1.1 connection can carry the next request.
 */
function readCapped(req: NodeRequest, max: number): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(parts).subarray(0, max + 1));
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      parts.push(chunk);
      size += chunk.length;
      if (size > max) finish();
    });
    req.once('end', finish);
    req.once('error', (error) => {
      if (!settled) reject(error);
      settled = true;
    });
    req.once('close', () => {
      if (!settled) reject(new Error('request aborted by the client'));
      settled = true;
    });
  });
}

/**
 * Writes a fetch Response to node. A body of known length goes out in one
 * write; a stream (SSE) is pumped chunk by chunk, each written as it comes,
 * waiting for `drain` when node buffers, and cancelled when the client goes.
 */
async function send(response: Response, res: NodeResponse, gone: AbortSignal): Promise<void> {
  res.statusCode = response.status;
  // yoga's Headers (a ponyfill) keep the case they were set with.
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name.toLowerCase())) res.setHeader(name, value);
  });
  if (!response.body) return void res.end();
  if (response.headers.has('content-length')) return void res.end(Buffer.from(await response.arrayBuffer()));
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
