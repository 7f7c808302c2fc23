import http2, { type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
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

/** How long `connect()` waits for the TCP (and TLS) handshake and the server's SETTINGS. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * HTTP/2 (h2 over TLS with ALPN h2, h2c with prior knowledge) on one
 * node:http2 session: every call is a stream on it, which is what a
 * multiplexed transport means. A session that failed or was closed by the
 * server is replaced on the next call. TLS trusts only the run's CA.
 */
export class Http2Transport implements HttpTransport {
  private session: ClientHttp2Session | undefined;
  /** h2: the session offered and received, resumed vs full handshakes. */
  readonly tls: TlsSessionTracker | undefined;
  private readonly active = new Set<ClientHttp2Stream>();

  constructor(private readonly options: ClientOptions) {
    this.tls = options.transport === 'h2' ? new TlsSessionTracker(options.tlsSession) : undefined;
    if (options.transport === 'h2' && !options.caPem) {
      throw new Error('graphql: transport h2 needs options.caPem (the run CA), got none');
    }
  }

  connect(): Promise<void> {
    const session = this.open();
    if (session.connecting === false && !session.destroyed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('timed out')), CONNECT_TIMEOUT_MS);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        session.destroy();
        reject(asClientError(new Error(`could not connect to ${this.options.url}: ${error.message}`)));
      };
      session.once('error', fail);
      session.once('connect', () => {
        clearTimeout(timer);
        session.off('error', fail);
        resolve();
      });
    });
  }

  send(request: HttpRequest, options: CallOptions): Promise<HttpResponse> {
    const { signal, onFirstByte } = options;
    if (signal?.aborted) return Promise.reject(cancelled('before it started'));
    let stream: ClientHttp2Stream;
    try {
      stream = this.open().request({ ':method': request.method, ':path': request.path, ...request.headers });
    } catch (error) {
      return Promise.reject(asClientError(error, signal));
    }
    const onAbort = (): void => {
      stream.destroy(cancelled('by the caller'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    this.active.add(stream);
    stream.once('close', () => {
      this.active.delete(stream);
      signal?.removeEventListener('abort', onAbort);
    });
    const response = new Promise<HttpResponse>((resolve, reject) => {
      stream.once('response', (headers) => {
        onFirstByte?.(process.hrtime.bigint());
        resolve({
          status: Number(headers[':status'] ?? 0),
          contentType: String(headers['content-type'] ?? ''),
          body: stream as AsyncIterable<Buffer>,
          cancel: () => stream.close(http2.constants.NGHTTP2_CANCEL),
        });
      });
      stream.on('error', (error) => reject(asClientError(error, signal)));
      // A stream can close without headers (RST_STREAM, GOAWAY): fail rather than hang.
      stream.once('close', () =>
        reject(asClientError(new Error(`stream closed (code ${stream.rstCode})`), signal)),
      );
    });
    stream.end(request.body);
    return response;
  }

  close(): void {
    for (const stream of this.active) stream.destroy(cancelled('because the client closed'));
    this.session?.destroy();
    this.session = undefined;
  }

  /** The live session, or a new one (errors on an idle session only retire it; calls see their own). */
  private open(): ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const offer = this.tls?.offer;
    const session = http2.connect(this.options.url, {
      ...(this.options.caPem ? { ca: this.options.caPem } : {}),
      ...(offer ? { session: offer } : {}),
    });
    const tracker = this.tls;
    if (tracker) session.once('connect', (_s, socket) => tracker.adopt(socket as TLSSocket));
    session.on('error', () => {
      // Reported to the streams that were on it; the next call opens a fresh session.
    });
    session.once('close', () => {
      if (this.session === session) this.session = undefined;
    });
    this.session = session;
    return session;
  }
}
