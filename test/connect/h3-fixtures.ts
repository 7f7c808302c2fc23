import type { IncomingHeaders } from '@currentspace/http3';
import type { Http3Connection } from '../../lib/http3/index.js';

/** What a raw HTTP/3 exchange returned: status, headers, the whole body, and the trailers if any. */
export interface RawH3Response {
  readonly status: number;
  readonly headers: IncomingHeaders;
  readonly body: Buffer;
  readonly trailers: IncomingHeaders | undefined;
}

/**
 * POSTs raw bytes on an open HTTP/3 connection, bypassing connect-es: the
 * way to send what no well-behaved client would, and to see the trailers
 * (the gRPC status) exactly as they came off the wire.
 */
export async function rawH3Post(
  connection: Http3Connection,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
): Promise<RawH3Response> {
  const call = connection.request({ method: 'POST', path, headers, body });
  let trailers: IncomingHeaders | undefined;
  call.req.on('trailers', (fields: IncomingHeaders) => {
    trailers = fields;
  });
  const res = await call.response;
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk);
  return { status: res.status, headers: res.headers, body: Buffer.concat(chunks), trailers };
}

/** A message stream that yields item i only once `ready(i)` resolves: proves a call is full duplex. */
export async function* lockstep<T>(
  items: readonly T[],
  ready: (i: number) => Promise<void>,
): AsyncGenerator<T> {
  for (const [i, item] of items.entries()) {
    await ready(i);
    yield item;
  }
}
