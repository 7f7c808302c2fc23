import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { TlsSessionTracker } from '../tls-session.js';
import type { CallOptions, ClientOptions } from '../types.js';
import {
  asClientError,
  cancelled,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
} from './transport.js';

/** Answered by yoga before any GraphQL work: opens a pooled socket without touching the core. */
const PRECONNECT_PATH = '/health';

/**
 * HTTP/1.1 (h1, h1s) over node:http(s) with a keep-alive agent of exactly
 * `connections` sockets — plain sockets whose count and reuse the bench can
 * reason about. TLS trusts only the run's CA.
 */
export class Http1Transport implements HttpTransport {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly hostname: string;
  private readonly port: number;
  private readonly connections: number;
  private readonly active = new Set<ClientRequest>();
  readonly tls: TlsSessionTracker | undefined;

  constructor(options: ClientOptions) {
    const url = new URL(options.url);
    const tls = options.transport === 'h1s';
    if (tls && !options.caPem)
      throw new Error('graphql: transport h1s needs options.caPem (the run CA), got none');
    this.connections = options.connections ?? 1;
    const pool = { keepAlive: true, maxSockets: this.connections };
    this.tls = tls ? new TlsSessionTracker(options.tlsSession) : undefined;
    // An offered session goes to every socket's tls.connect (agent options are connection options).
    this.agent = tls
      ? new https.Agent({
          ...pool,
          ca: options.caPem,
          ...(options.tlsSession ? { session: options.tlsSession } : {}),
        })
      : new http.Agent(pool);
    this.request = tls ? https.request : http.request;
    this.hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(url.port || (tls ? 443 : 80));
  }

  /** As many concurrent health checks as the pool allows: each opens one socket, which returns to the pool. */
  async connect(): Promise<void> {
    const once = async (): Promise<void> => {
      const res = await this.send({ method: 'GET', path: PRECONNECT_PATH, headers: {} }, {});
      for await (const _ of res.body) {
        // drain: the socket goes back to the pool only after the body
      }
      if (res.status !== 200) throw asClientError(new Error(`health check answered ${res.status}`));
    };
    await Promise.all(Array.from({ length: this.connections }, once));
  }

  send(request: HttpRequest, options: CallOptions): Promise<HttpResponse> {
    const { signal, onFirstByte } = options;
    if (signal?.aborted) return Promise.reject(cancelled('before it started'));
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    const req = this.request({
      hostname: this.hostname,
      port: this.port,
      method: request.method,
      path: request.path,
      headers,
      agent: this.agent,
    });
    // A socket still connecting is a new one: watch its TLS handshake (reused ones were watched already).
    const tracker = this.tls;
    if (tracker) {
      req.once('socket', (socket) => {
        if (socket.connecting) tracker.watch(socket as TLSSocket);
      });
    }
    const onAbort = (): void => {
      req.destroy(cancelled('by the caller'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    this.active.add(req);
    req.once('close', () => {
      this.active.delete(req);
      signal?.removeEventListener('abort', onAbort);
    });
    const response = new Promise<HttpResponse>((resolve, reject) => {
      req.once('response', (res: IncomingMessage) => {
        onFirstByte?.(process.hrtime.bigint());
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'] ?? '',
          body: res as AsyncIterable<Buffer>,
          cancel: () => req.destroy(),
        });
      });
      // `on`, not `once`: a destroyed request may emit a second error, which must not go unhandled.
      req.on('error', (error) => reject(asClientError(error, signal)));
    });
    req.end(request.body);
    return response;
  }

  close(): void {
    for (const req of this.active) req.destroy(cancelled('because the client closed'));
    this.agent.destroy();
  }
}
