import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { connectHttp3, type Http3Connection } from '../../lib/http3/index.js';
import type { TransportId } from '../../protocols/types.js';
import type { RawBody, RawRequest } from './cases/index.js';

/** What came back for one raw request: status, header and trailer maps (lower-case names), the body bytes. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** HTTP trailers (HTTP/2 and HTTP/3 only; gRPC's status lives here). Empty when none came. */
  readonly trailers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * Sends requests as raw bytes on one transport, bypassing every protocol
 * client library (they refuse to send what these tests need to send). A
 * multiplexed transport (h2, h2c, h3) uses ONE connection for its whole life
 * and never reconnects, so a request that got the connection closed makes
 * every later one fail: `open` tells whether that connection still stands.
 */
export interface RawSender {
  readonly transport: TransportId;
  send(request: RawRequest): Promise<RawResponse>;
  /** Multiplexed transports: the one connection is still open. HTTP/1.1: always true (a pool may reconnect). */
  readonly open: boolean;
  close(): Promise<void>;
}

/** Gives up on a request that gets no complete answer: a hang is a failure, not a timeout of the test runner. */
const REQUEST_TIMEOUT_MS = 5000;

type OpenSender = (url: string, caPem: string) => Promise<RawSender>;

/**
 * One sender per transport, each on the stack a real client of it would use:
 * node:http / node:https for HTTP/1.1 (the CA of the run is the only one
 * trusted), node:http2 for h2 and h2c, lib/http3 for h3.
 */
const OPENERS: Record<TransportId, OpenSender> = {
  h1: async (url) => http1Sender('h1', url, new http.Agent({ keepAlive: true, maxSockets: 1 })),
  h1s: async (url, ca) => http1Sender('h1s', url, new https.Agent({ keepAlive: true, maxSockets: 1, ca })),
  h2c: (url) => http2Sender('h2c', url),
  h2: (url, ca) => http2Sender('h2', url, ca),
  h3: (url, ca) => http3Sender(url, ca),
};

/** Opens a raw sender to `url` over `transport`; TLS transports trust only `caPem`. */
export function openRawSender(transport: TransportId, url: string, caPem: string): Promise<RawSender> {
  return OPENERS[transport](url, caPem);
}

/** The body as the chunks to write: one write for bytes or a string, one write per element for a list. */
function chunksOf(body: RawBody | undefined): Buffer[] {
  if (body === undefined) return [];
  const list = typeof body === 'string' || body instanceof Uint8Array ? [body] : body;
  return list.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk)));
}

/** A single body goes with content-length; a chunk list goes without one (chunked on HTTP/1.1, DATA frames on h2/h3). */
function isChunked(body: RawBody | undefined): boolean {
  return body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array);
}

function flatten(
  headers: Readonly<Record<string, string | string[] | number | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

function timeout(what: string): Error {
  return new Error(`raw ${what}: expected a complete answer within ${REQUEST_TIMEOUT_MS} ms, got none`);
}

function http1Sender(transport: 'h1' | 'h1s', url: string, agent: http.Agent): RawSender {
  const module = transport === 'h1' ? http : https;
  const send = (request: RawRequest): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const chunks = chunksOf(request.body);
      const headers: Record<string, string | number> = { ...request.headers };
      if (request.body !== undefined && !isChunked(request.body)) {
        headers['content-length'] = chunks.reduce((n, c) => n + c.length, 0);
      }
      const req = module.request(
        `${url}${request.path}`,
        { method: request.method, headers, agent },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (chunk: Buffer) => parts.push(chunk));
          res.once('error', reject);
          res.once('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: flatten(res.headers),
              trailers: flatten(res.trailers),
              body: Buffer.concat(parts),
            }),
          );
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(timeout(`${transport} ${request.path}`)));
      // A server may answer (413) and close before the whole body is written: the answer is what counts.
      req.once('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  return {
    transport,
    send,
    open: true,
    close: async () => agent.destroy(),
  };
}

async function http2Sender(transport: 'h2' | 'h2c', url: string, ca?: string): Promise<RawSender> {
  const session = http2.connect(url, ca ? { ca } : {});
  // Stream errors reject their own request; a session error must not crash the process.
  session.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  let goaway = false;
  session.once('goaway', () => {
    goaway = true;
  });
  const send = (request: RawRequest): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const chunks = chunksOf(request.body);
      const headers: http2.OutgoingHttpHeaders = {
        ':method': request.method,
        ':path': request.path,
        ...request.headers,
      };
      if (request.body !== undefined && !isChunked(request.body)) {
        headers['content-length'] = chunks.reduce((n, c) => n + c.length, 0);
      }
      const stream = session.request(headers, { endStream: request.body === undefined });
      let status = 0;
      let responseHeaders: Record<string, string> = {};
      let trailers: Record<string, string> = {};
      const parts: Buffer[] = [];
      stream.setTimeout(REQUEST_TIMEOUT_MS, () => stream.destroy(timeout(`${transport} ${request.path}`)));
      stream.once('response', (h) => {
        status = Number(h[':status']);
        responseHeaders = flatten(h);
      });
      stream.once('trailers', (h) => {
        trailers = flatten(h);
      });
      stream.on('data', (chunk: Buffer) => parts.push(chunk));
      stream.on('error', (error) => {
        // An early answer (e.g. 413) may be followed by RST_STREAM for the unread request body: keep the answer.
        if (status === 0) reject(error);
      });
      stream.once('close', () => {
        if (status === 0) {
          reject(
            new Error(
              `raw ${transport} ${request.path}: stream closed (rst ${stream.rstCode}) before a response`,
            ),
          );
          return;
        }
        resolve({ status, headers: responseHeaders, trailers, body: Buffer.concat(parts) });
      });
      for (const chunk of chunks) stream.write(chunk);
      if (request.body !== undefined) stream.end();
    });
  return {
    transport,
    send,
    get open() {
      return !session.closed && !session.destroyed && !goaway;
    },
    close: () => new Promise<void>((resolve) => session.close(() => resolve())),
  };
}

async function http3Sender(url: string, caPem: string): Promise<RawSender> {
  const connection: Http3Connection = await connectHttp3(url, { caPem });
  const send = async (request: RawRequest): Promise<RawResponse> => {
    const chunks = chunksOf(request.body);
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined && !isChunked(request.body)) {
      headers['content-length'] = String(chunks.reduce((n, c) => n + c.length, 0));
    }
    const body =
      request.body === undefined
        ? undefined
        : isChunked(request.body)
          ? (async function* () {
              yield* chunks;
            })()
          : (chunks[0] ?? Buffer.alloc(0));
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const call = connection.request({
      method: request.method,
      path: request.path,
      headers,
      ...(body === undefined ? {} : { body }),
      signal,
    });
    // Trailers arrive on the request stream after the body (gRPC's status over HTTP/3).
    let trailers: Record<string, string> = {};
    call.req.on('trailers', (h) => {
      trailers = flatten(h);
    });
    const response = await call.response;
    const parts: Buffer[] = [];
    for await (const chunk of response) parts.push(chunk);
    return {
      status: response.status,
      headers: flatten(response.headers),
      trailers,
      body: Buffer.concat(parts),
    };
  };
  return {
    transport: 'h3',
    send,
    get open() {
      return !connection.closed;
    },
    close: () => connection.close(),
  };
}
