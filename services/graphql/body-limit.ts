import type { FetchHandler } from './node-bridge.js';

/**
 * Gives the handler a request whose body is buffered, at most
 * `maxBodyBytes + 1` bytes of it: enough for yoga's own size check
 * (`maxRequestBodySize`) to see a body is too large and answer its 413
 * (`REQUEST_ENTITY_TOO_LARGE`) — the same status and error body the node
 * bridge produces on TCP, where it buffers the same way.
 *
 * Why buffer: yoga parses GraphQL bodies whole anyway, and a capped read
 * means an oversize upload costs the server `maxBodyBytes` of memory at
 * most; cancelling the rest tells the HTTP/3 bridge to discard it (the
 * QUIC stream keeps flowing, the connection keeps serving). The
 * `content-length` field is dropped because the body passed on may be a
 * truncated prefix; yoga then measures the bytes themselves.
 */
export function limitRequestBody(handler: FetchHandler, maxBodyBytes: number): FetchHandler {
  return async (request) => {
    if (!request.body) return handler(request);
    const body = await readCapped(request.body, maxBodyBytes);
    const headers = new Headers(request.headers);
    headers.delete('content-length');
    return handler(
      new Request(request.url, { method: request.method, headers, signal: request.signal, body }),
    );
  };
}

/** The stream's bytes, or its first `max + 1` when it is longer (then the rest is cancelled). */
async function readCapped(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return Buffer.concat(parts).subarray(0, max + 1);
}
