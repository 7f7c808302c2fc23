import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { ClientError } from '../errors.js';
import { TlsSessionTracker } from '../tls-session.js';
import type { CallOptions } from '../types.js';
import {
  asClientError,
  cancelled,
  type Exchange,
  type ExchangeRequest,
  type Exchanger,
  type RequestLike,
  type ResponseLike,
} from './exchange.js';

/**
 * HTTP/1.1 (`h1`, or `h1s` when a CA is given: TLS trusting only that CA)
 * with node:http(s) and a keep-alive agent of exactly `connections` sockets
 * — plain sockets whose count and reuse the bench can reason about, which
 * fetch/undici's pooling would hide.
 */
export class Http1Exchanger implements Exchanger {
  private readonly request: typeof http.request;
  private readonly agent: http.Agent;
  private readonly hostname: string;
  private readonly port: number;
  /** Calls not yet closed, so `close()` can fail them with CANCELLED. */
  private readonly active = new Set<Exchange>();

  /** h1s: the session offered and received, resumed vs full handshakes. */
  readonly tls: TlsSessionTracker | undefined;

  constructor(
    url: URL,
    private readonly connections: number,
    tls: { readonly caPem: string | undefined; readonly session?: Buffer | undefined } | undefined,
  ) {
    const pool = { keepAlive: true, maxSockets: connections };
    this.request = tls ? https.request : http.request;
    this.tls = tls ? new TlsSessionTracker(tls.session) : undefined;
    // An offered session goes to every socket's tls.connect (agent options are connection options).
    this.agent = tls
      ? new https.Agent({ ...pool, ca: tls.caPem, ...(tls.session ? { session: tls.session } : {}) })
      : new http.Agent(pool);
    this.hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(url.port || (tls ? 443 : 80));
  }

  /**
   * As many concurrent preconnect requests as the pool allows make the agent
   * open one socket (and TLS session) each; every socket returns to the pool
   * when its response ends, so no measured call pays for a handshake.
   */
  async connect(preconnect: () => Promise<void>): Promise<void> {
    await Promise.all(Array.from({ length: this.connections }, preconnect));
  }

  /** Starts a request on the pool; the agent opens a socket if none is free (the cold path). */
  async open(request: ExchangeRequest, options: CallOptions): Promise<Exchange> {
    const { signal, onFirstByte } = options;
    if (signal?.aborted) throw cancelled('before it started');
    const { verb, path, headers } = request;
    const req = this.request({
      hostname: this.hostname,
      port: this.port,
      method: verb,
      path,
      headers,
      agent: this.agent,
    });
    // A socket still connecting is a new one: watch its TLS handshake (reused sockets were watched already).
    const tracker = this.tls;
    if (tracker) {
      req.once('socket', (socket) => {
        if (socket.connecting) tracker.watch(socket as TLSSocket);
      });
    }
    // Cancellation destroys the request (and its socket); the listener goes when the request closes.
    let cancelReason: ClientError | undefined;
    const cancel = (error?: ClientError): void => {
      cancelReason ??= error ?? cancelled('by the client');
      req.destroy(cancelReason);
    };
    const onAbort = (): void => cancel(cancelled('by the caller'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const response = new Promise<ResponseLike>((resolve, reject) => {
      req.once('response', (res) => {
        onFirstByte?.(process.hrtime.bigint());
        resolve(res);
      });
      // `on`, not `once`: a destroyed request may emit a second error, which must not go unhandled.
      req.on('error', (error) => reject(asClientError(error, signal)));
    });
    // The caller may stop awaiting (e.g. while it still writes); a late rejection is never unhandled.
    response.catch(() => {});
    if (!request.upload) req.end(request.body);
    const exchange: Exchange = {
      req: req as RequestLike,
      response,
      cancel,
      get cancelReason() {
        return cancelReason;
      },
    };
    this.active.add(exchange);
    req.once('close', () => {
      this.active.delete(exchange);
      signal?.removeEventListener('abort', onAbort);
    });
    return exchange;
  }

  async close(): Promise<void> {
    for (const exchange of this.active) exchange.cancel(cancelled('because the client closed'));
    this.agent.destroy();
  }
}
