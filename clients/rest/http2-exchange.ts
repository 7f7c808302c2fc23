import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { ClientError } from '../errors.js';
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
 * HTTP/2 for the REST client: `h2` over TLS (ALPN h2, trusting only the
 * run's CA) or `h2c` with prior knowledge. `connections` sessions (one by
 * default), calls multiplexed on them as streams, round robin when there
 * are several. node:http2 directly, because http2-wrapper (the usual
 * choice) speaks only https and the bench needs h2c too.
 */
export class Http2Exchanger implements Exchanger {
  private readonly sessions: http2.ClientHttp2Session[] = [];
  private next = 0;
  private readonly active = new Set<Exchange>();
  /** Each session's handshake, from the moment it was opened (a cold call may open one before connect()). */
  private readonly handshakes = new WeakMap<http2.ClientHttp2Session, Promise<void>>();

  /** h2: the session offered and received, resumed vs full handshakes. */
  readonly tls: TlsSessionTracker | undefined;

  constructor(
    private readonly authority: string,
    private readonly count: number,
    private readonly caPem: string | undefined,
    tlsSession?: Buffer,
  ) {
    this.tls = authority.startsWith('https:') ? new TlsSessionTracker(tlsSession) : undefined;
  }

  /** Opens every session and waits for the server's SETTINGS: the handshake is over before any call. */
  async connect(): Promise<void> {
    while (this.sessions.length < this.count) this.sessions.push(this.openSession());
    await Promise.all(this.sessions.map((s) => this.handshakes.get(s)));
  }

  /** One stream on the next session (opened now if need be: node queues the request until it connects). */
  async open(request: ExchangeRequest, options: CallOptions): Promise<Exchange> {
    const { signal, onFirstByte } = options;
    if (signal?.aborted) throw cancelled('before it started');
    const hasBody = request.body !== undefined || request.upload === true;
    const headers = { ':method': request.verb, ':path': request.path, ...request.headers };
    const stream = this.session().request(headers, { endStream: !hasBody });
    // RST_STREAM(CANCEL) first: destroy() alone would reset with NO_ERROR or INTERNAL_ERROR.
    let cancelReason: ClientError | undefined;
    const cancel = (error?: ClientError): void => {
      cancelReason ??= error ?? cancelled('by the client');
      if (stream.destroyed) return;
      stream.close(http2.constants.NGHTTP2_CANCEL);
      stream.destroy(cancelReason);
    };
    const onAbort = (): void => cancel(cancelled('by the caller'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const response = new Promise<ResponseLike>((resolve, reject) => {
      stream.once('response', (h) => {
        onFirstByte?.(process.hrtime.bigint());
        resolve(
          Object.defineProperties(stream, {
            statusCode: { value: Number(h[':status']), configurable: true },
            complete: { get: () => stream.readableEnded, configurable: true },
          }) as unknown as ResponseLike,
        );
      });
      stream.on('error', (error) => reject(asClientError(error, signal)));
      stream.once('close', () =>
        reject(asClientError(new Error('stream closed before the headers'), signal)),
      );
    });
    response.catch(() => {});
    if (request.body !== undefined) stream.end(request.body);
    const exchange: Exchange = {
      req: stream as unknown as RequestLike,
      response,
      cancel,
      get cancelReason() {
        return cancelReason;
      },
    };
    this.active.add(exchange);
    stream.once('close', () => {
      this.active.delete(exchange);
      signal?.removeEventListener('abort', onAbort);
    });
    return exchange;
  }

  async close(): Promise<void> {
    for (const exchange of this.active) exchange.cancel(cancelled('because the client closed'));
    for (const session of this.sessions) session.destroy();
    this.sessions.length = 0;
  }

  private session(): http2.ClientHttp2Session {
    if (this.sessions.length < this.count) this.sessions.push(this.openSession());
    const index = this.next++ % this.sessions.length;
    let session = this.sessions[index];
    if (!session || session.closed || session.destroyed) {
      session = this.openSession();
      this.sessions[index] = session;
    }
    return session;
  }

  /**
   * The session's socket, opened here so Nagle is off from the first byte —
   * as on the servers, so small frames (HEADERS, NDJSON lines of an upload)
   * are not held back waiting for an ACK. TLS: ALPN h2 only, the run's CA
   * only; SNI only for host names (never for IP literals, per RFC 6066).
   */
  private socket(): net.Socket {
    const url = new URL(this.authority);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
    const tcp = net.connect({ host, port, noDelay: true });
    if (url.protocol === 'http:') return tcp;
    const offer = this.tls?.offer;
    const socket = tls.connect({
      socket: tcp,
      host,
      ALPNProtocols: ['h2'],
      ...(this.caPem ? { ca: this.caPem } : {}),
      ...(net.isIP(host) ? {} : { servername: host }),
      ...(offer ? { session: offer } : {}),
    });
    this.tls?.watch(socket);
    return socket;
  }

  private openSession(): http2.ClientHttp2Session {
    const session = http2.connect(this.authority, { createConnection: () => this.socket() });
    // A session error fails its streams (each rejects on its own); it must not crash the process.
    session.on('error', () => {});
    const handshake = settings(session);
    handshake.catch(() => {});
    this.handshakes.set(session, handshake);
    return session;
  }
}

/** Resolves at the server's first SETTINGS frame: TCP, TLS and the HTTP/2 preface are done. */
function settings(session: http2.ClientHttp2Session): Promise<void> {
  return new Promise((resolve, reject) => {
    if (session.destroyed)
      return reject(new ClientError('UNAVAILABLE', 'rest: http2 session closed before connecting'));
    session.once('remoteSettings', () => resolve());
    session.once('error', (error) =>
      reject(new ClientError('UNAVAILABLE', `rest: expected an HTTP/2 session, got ${error.message}`)),
    );
  });
}
