import type { IncomingHeaders } from '@currentspace/http3';
import test, { type ExecutionContext } from 'ava';
import { type Http3Connection, http3Unavailable } from '../../lib/http3/index.js';
import { generateTls } from '../../lib/tls.js';
import type { TlsMaterial } from '../../services/types.js';

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

/** What an h3 test file needs: the run's TLS, a test wrapper that skips where h3 cannot run, teardown. */
export interface H3Harness {
  readonly tls: TlsMaterial;
  /** Registers a test that runs unless h3 cannot run here (then it passes, with the reason logged). */
  h3(title: string, body: (t: ExecutionContext) => Promise<void>): void;
  /** Closes `item` after the file's tests (servers, clients, raw connections), last opened first. */
  track<T extends { close(): Promise<void> }>(item: T): T;
}

/** Call once at the top of a test file: TLS material, the h3 probe and the teardown hook. */
export async function h3Harness(): Promise<H3Harness> {
  const tls = await generateTls();
  const skipped = await http3Unavailable(tls);
  const opened: { close(): Promise<void> }[] = [];
  test.after.always(async () => {
    for (const item of opened.reverse()) await item.close();
  });
  return {
    tls,
    h3: (title, body) =>
      test(title, async (t) => {
        if (skipped) {
          t.log(`skipped: h3 cannot run here: ${skipped}`);
          t.pass();
          return;
        }
        await body(t);
      }),
    track: (item) => {
      opened.push(item);
      return item;
    },
  };
}
