import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { isMultiplexed, isTlsTransport } from '../../protocols/types.js';
import { ClientError, codeFromHttpStatus } from '../errors.js';
import type { ClientOptions } from '../types.js';
import type { HttpConnector, HttpReply, RequestInit } from './http-types.js';
import { Http3Connector } from './http3.js';

export type { HttpConnector, HttpReply, RequestInit } from './http-types.js';

/** The connector for `options.transport`: one QUIC connection for h3, HTTP/2 sessions for h2/h2c, a keep-alive agent for h1/h1s. */
export function httpConnector(options: ClientOptions): HttpConnector {
  if (options.transport === 'h3') return new Http3Connector(options);
  return isMultiplexed(options.transport) ? new Http2Connector(options) : new Http1Connector(options);
}

class Http1Connector implements HttpConnector {
  private readonly agent: http.Agent;
  private readonly target: URL;
  private readonly tls: boolean;
  private shut = false;

  constructor(options: ClientOptions) {
    this.target = new URL(options.url);
    this.tls = isTlsTransport(options.transport);
    const agentOptions = { keepAlive: true, maxSockets: Number.POSITIVE_INFINITY };
    this.agent = this.tls
      ? new https.Agent({ ...agentOptions, ca: options.caPem, ALPNProtocols: ['http/1.1'] })
      : new http.Agent(agentOptions);
  }

  async connect(): Promise<void> {}

  request(method: string, path: string, init: RequestInit = {}): Promise<HttpReply> {
    const { signal } = init;
    if (this.shut) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      const send = this.tls ? https.request : http.request;
      const req = send(
        {
          hostname: this.target.hostname,
          port: this.target.port,
          method,
          path,
          headers: init.headers,
          agent: this.agent,
          signal,
        },
        (res) =>
          resolve({
            status: res.statusCode ?? 0,
            header: (name) => single(res.headers[name]),
            body: res,
            destroy: () => res.destroy(),
          }),
      );
      // Stays attached: a socket error after the response must not go unhandled.
      req.on('error', (error) => reject(unavailable(error, signal)));
      req.end(init.body);
    });
  }

  connectionCount(): number {
    let n = 0;
    for (const list of [this.agent.sockets, this.agent.freeSockets]) {
      for (const sockets of Object.values(list)) n += sockets?.length ?? 0;
    }
    return n;
  }

  close(): void {
    this.shut = true;
    this.agent.destroy();
  }
}

class Http2Connector implements HttpConnector {
  private session: http2.ClientHttp2Session | undefined;
  private shut = false;

  constructor(private readonly options: ClientOptions) {}

  connect(): Promise<void> {
    if (this.shut) return Promise.reject(closedError());
    const session = this.open();
    if (!session.connecting) return Promise.resolve();
    return new Promise((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('error', (error) => reject(unavailable(error)));
    });
  }

  request(method: string, path: string, init: RequestInit = {}): Promise<HttpReply> {
    const { signal } = init;
    if (this.shut) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(unavailable(new Error('aborted'), signal));
    const headers = { ':method': method, ':path': path, ...init.headers };
    const stream = this.open().request(headers, { endStream: init.body === undefined });
    if (init.body !== undefined) stream.end(init.body);
    const cancel = (): void => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    stream.once('close', () => signal?.removeEventListener('abort', cancel));
    return new Promise((resolve, reject) => {
      stream.on('error', (error) => reject(unavailable(error, signal)));
      stream.once('close', () =>
        reject(unavailable(new Error(`stream closed (code ${stream.rstCode})`), signal)),
      );
      stream.once('response', (h) =>
        resolve({
          status: Number(h[':status']),
          header: (name) => single(h[name]),
          body: stream,
          destroy: cancel,
        }),
      );
    });
  }

  connectionCount(): number {
    const s = this.session;
    return s && !s.closed && !s.destroyed ? 1 : 0;
  }

  close(): void {
    this.shut = true;
    this.session?.destroy();
    this.session = undefined;
  }

  /** The live session, or a new one when the last was closed, lost or sent GOAWAY. */
  private open(): http2.ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = http2.connect(this.options.url, { ca: this.options.caPem });
    session.on('error', () => {});
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    session.once('close', forget);
    session.once('goaway', forget);
    this.session = session;
    return session;
  }
}

/** Reads a whole (small) body as text. */
export async function readText(body: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

/** A non-2xx reply as a ClientError, keeping the server's message from the `{ error }` body when there is one. */
export async function replyError(reply: HttpReply, what: string): Promise<ClientError> {
  const text = await readText(reply.body).catch(() => '');
  let message = text.slice(0, 200);
  try {
    message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
  } catch {
    // Not JSON: keep the text.
  }
  return new ClientError(
    codeFromHttpStatus(reply.status),
    `${what}: HTTP ${reply.status} ${message}`,
    reply.status,
  );
}

/** A transport failure: CANCELLED when the caller aborted, UNAVAILABLE otherwise. */
export function unavailable(error: unknown, signal?: AbortSignal): ClientError {
  if (error instanceof ClientError) return error;
  if (signal?.aborted) return new ClientError('CANCELLED', 'request cancelled by the caller');
  return new ClientError('UNAVAILABLE', `connection: ${(error as Error)?.message ?? String(error)}`);
}

function closedError(): ClientError {
  return new ClientError('CANCELLED', 'request: the client is closed');
}

function single(value: string | string[] | number | undefined): string | undefined {
  if (Array.isArray(value)) return value[0];
  return value === undefined ? undefined : String(value);
}
