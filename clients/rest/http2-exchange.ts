import type { OutgoingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import { ClientError } from '../errors.js';
import type { CallOptions } from '../types.js';
import {
  asClientError,
  cancelled,
  type Exchange,
  type RequestLike,
  type ResponseLike,
} from './http-exchange.js';

/**
 * HTTP/2 sessions for the REST client: `h2` over TLS (ALPN h2, trusting only
 * the run's CA) or `h2c` with prior knowledge. Calls are streams multiplexed
 * on the sessions, round robin when there are several. node:http2 directly,
 * because http2-wrapper (the usual choice) speaks only https and the bench
 * needs h2c too.
 */
export class Http2Sessions {
  private readonly sessions: http2.ClientHttp2Session[] = [];
  private next = 0;
  private readonly active = new Set<http2.ClientHttp2Stream>();

  constructor(
    private readonly authority: string,
    private readonly count: number,
    private readonly caPem: string | undefined,
  ) {}

  /** Opens every session and waits for the server's SETTINGS: the handshake is over before any call. */
  async connect(): Promise<void> {
    while (this.sessions.length < this.count) this.sessions.push(this.open());
    await Promise.all(this.sessions.map((s) => ready(s)));
  }

  /** Starts one request stream; the response settles when its headers arrive (the first byte). */
  start(verb: string, path: string, headers: OutgoingHttpHeaders, options: CallOptions): Exchange {
    const { signal, onFirstByte } = options;
    if (signal?.aborted) throw cancelled('before it started');
    const session = this.session();
    const stream = session.request({ ':method': verb, ':path': path, ...headers });
    const onAbort = (): void => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      stream.destroy(cancelled('by the caller'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    this.active.add(stream);
    stream.once('close', () => {
      this.active.delete(stream);
      signal?.removeEventListener('abort', onAbort);
    });
    const response = new Promise<ResponseLike>((resolve, reject) => {
      stream.once('response', (h) => {
        onFirstByte?.(process.hrtime.bigint());
        const res = Object.defineProperties(stream, {
          statusCode: { value: Number(h[':status']), configurable: true },
          complete: { get: () => stream.readableEnded, configurable: true },
        }) as unknown as ResponseLike;
        resolve(res);
      });
      stream.on('error', (error) => reject(asClientError(error, signal)));
    });
    response.catch(() => {});
    return { req: stream as unknown as RequestLike, response };
  }

  close(): void {
    for (const stream of this.active) stream.destroy(cancelled('because the client closed'));
    for (const session of this.sessions) session.destroy();
    this.sessions.length = 0;
  }

  private session(): http2.ClientHttp2Session {
    if (this.sessions.length < this.count) this.sessions.push(this.open());
    const index = this.next++ % this.sessions.length;
    let session = this.sessions[index];
    if (!session || session.closed || session.destroyed) {
      session = this.open();
      this.sessions[index] = session;
    }
    return session;
  }

  private open(): http2.ClientHttp2Session {
    const session = http2.connect(this.authority, this.caPem ? { ca: this.caPem } : {});
    // A session error fails its streams (each rejects on its own); it must not crash the process.
    session.on('error', () => {});
    return session;
  }
}

function ready(session: http2.ClientHttp2Session): Promise<void> {
  return new Promise((resolve, reject) => {
    if (session.destroyed)
      return reject(new ClientError('UNAVAILABLE', 'rest: http2 session closed before connecting'));
    session.once('remoteSettings', () => resolve());
    session.once('error', (error) =>
      reject(new ClientError('UNAVAILABLE', `rest: expected an HTTP/2 session, got ${error.message}`)),
    );
  });
}
