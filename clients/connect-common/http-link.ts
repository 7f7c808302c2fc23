import http from 'node:http';
import https from 'node:https';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { UniversalClientFn } from '@connectrpc/connect/protocol';
import { createNodeHttpClient, Http2SessionManager } from '@connectrpc/connect-node';
import { createHttp3UniversalClient, ReconnectingHttp3, type WireCounters } from '../../lib/http3/index.js';
import { PRECONNECT_PATH } from '../../services/connect-common/protocol.js';
import { ClientError } from '../errors.js';
import { Http3SessionSource } from '../http3-session.js';
import { type TlsResumptionSource, TlsSessionTracker } from '../tls-session.js';
import type { ClientOptions } from '../types.js';

/**
 * The HTTP side of a connect-es client: the node HTTP client connect-es
 * calls for every request, plus opening and closing what it runs on.
 */
export interface HttpLink {
  readonly httpClient: UniversalClientFn;
  /** Opens every connection (TCP, TLS, HTTP/2 SETTINGS) so no measured call pays for it. */
  connect(): Promise<void>;
  /** Frees every socket and session (QUIC: CONNECTION_CLOSE, resolved when sent). */
  close(): void | Promise<void>;
  /**
   * h3 only (TCP links leave it out: the kernel's tcp_info counts there):
   * UDP payload bytes of every QUIC connection this link opened, closed
   * ones included — monotonic, so diff two readings.
   */
  wireCounters?(): WireCounters;
  /** h1s and h3: the TLS session (QUIC: ticket) offered and received, resumed vs full handshakes (h2's session manager hides its socket). */
  readonly tls?: TlsResumptionSource;
}

/**
 * HTTP/1.1 (h1, h1s) runs on a keep-alive agent of exactly `connections`
 * sockets; HTTP/2 (h2, h2c) on one connect-es Http2SessionManager (one
 * session) per client object; HTTP/3 (h3) on one QUIC connection per client
 * object through lib/http3. TLS trusts only the run's CA.
 */
export function openHttpLink(name: string, options: ClientOptions): HttpLink {
  const origin = new URL(options.url).origin;
  const tls = options.transport === 'h1s' || options.transport === 'h2' || options.transport === 'h3';
  if (tls && !options.caPem) {
    throw new Error(`${name}: transport ${options.transport} needs options.caPem (the run CA), got none`);
  }
  if (options.transport === 'h1' || options.transport === 'h1s') {
    return http1Link(name, origin, tls, options);
  }
  if (options.transport === 'h2' || options.transport === 'h2c') {
    return http2Link(name, origin, options.caPem);
  }
  if (options.transport === 'h3') return http3Link(name, origin, options.caPem, options.tlsSession);
  throw new Error(`${name}: expected transport h1, h1s, h2, h2c or h3, got ${options.transport}`);
}

function http1Link(name: string, origin: string, tls: boolean, options: ClientOptions): HttpLink {
  const connections = options.connections ?? 1;
  const pool = { keepAlive: true, maxSockets: connections };
  const tracker = tls ? new TlsSessionTracker(options.tlsSession) : undefined;
  // An offered session goes to every socket's tls.connect (agent options are connection options).
  const agent = tls
    ? new NoDelayHttpsAgent(
        { ...pool, ca: options.caPem, ...(options.tlsSession ? { session: options.tlsSession } : {}) },
        tracker,
      )
    : new http.Agent(pool);
  const request = tls ? https.request : http.request;
  return {
    httpClient: createNodeHttpClient({ httpVersion: '1.1', nodeOptions: { agent } }),
    // As many concurrent probes as the pool allows make the agent open one
    // socket each; every socket returns to the pool when its 204 ends.
    connect: async () => {
      const probe = (): Promise<void> =>
        new Promise((resolve, reject) => {
          const req = request(`${origin}${PRECONNECT_PATH}`, { method: 'OPTIONS', agent }, (res) => {
            res.resume();
            res.once('end', () =>
              res.statusCode === 204 ? resolve() : reject(refused(name, res.statusCode)),
            );
          });
          req.once('error', (error) => reject(unreachable(name, origin, error)));
          req.end();
        });
      await Promise.all(Array.from({ length: connections }, probe));
    },
    close: () => agent.destroy(),
    ...(tracker ? { tls: tracker } : {}),
  };
}

/**
 * node 20's https agent drops `noDelay` (tls.connect ignores it), and
 * connect-node writes the request head and body separately: with Nagle on,
 * every body then waits for the server's delayed ACK (~40 ms per call, measured).
 */
export class NoDelayHttpsAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    /** Told about every new TLS socket, for session resumption figures. */
    private readonly tracker?: TlsSessionTracker,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket = super.createConnection(options, callback);
    if (socket instanceof Socket) socket.setNoDelay(true);
    if (socket instanceof TLSSocket) this.tracker?.watch(socket);
    return socket;
  }
}

function http2Link(name: string, origin: string, caPem: string | undefined): HttpLink {
  // No PINGs (they would add traffic on emulated links); idle sessions close after an hour.
  const session = new Http2SessionManager(
    origin,
    { idleConnectionTimeoutMs: 3_600_000 },
    caPem ? { ca: caPem } : {},
  );
  return {
    httpClient: createNodeHttpClient({ httpVersion: '2', sessionProvider: () => session }),
    // `connect()` resolves on the session's 'connect' (TCP + TLS done); one
    // OPTIONS round trip then also covers the server's SETTINGS, which it
    // sends before any response.
    connect: async () => {
      if ((await session.connect()) === 'error') throw unreachable(name, origin, session.error());
      const stream = await session.request('OPTIONS', PRECONNECT_PATH, {}, { endStream: true });
      const status = await new Promise<number | undefined>((resolve, reject) => {
        stream.once('response', (headers) => resolve(headers[':status']));
        stream.once('error', reject);
      }).catch((error: unknown) => {
        throw unreachable(name, origin, error);
      });
      stream.resume();
      if (status !== 204) throw refused(name, status);
    },
    close: () => session.abort(),
  };
}

/**
 * One QUIC connection, opened by `connect()` (handshake, then one OPTIONS
 * round trip as on h2, so the server's SETTINGS and QPACK state are in
 * before any measured call) and reopened by the next call if it was lost.
 */
function http3Link(
  name: string,
  origin: string,
  caPem: string | undefined,
  sessionTicket: Buffer | undefined,
): HttpLink {
  const quic = new ReconnectingHttp3(origin, {
    ...(caPem ? { caPem } : {}),
    ...(sessionTicket ? { sessionTicket } : {}),
  });
  return {
    httpClient: createHttp3UniversalClient(() => quic.connection()),
    connect: async () => {
      const connection = await quic.connection().catch((error: unknown) => {
        throw unreachable(name, origin, error);
      });
      const call = connection.request({ method: 'OPTIONS', path: PRECONNECT_PATH });
      const response = await call.response.catch((error: unknown) => {
        throw unreachable(name, origin, error);
      });
      for await (const _ of response) {
        // A 204 has no body; reading to the end completes the stream.
      }
      if (response.status !== 204) throw refused(name, response.status);
    },
    close: () => quic.close(),
    wireCounters: () => quic.wireCounters(),
    tls: new Http3SessionSource(origin, caPem, () => quic.resumption()),
  };
}

function unreachable(name: string, origin: string, error: unknown): ClientError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ClientError('UNAVAILABLE', `${name}: could not connect to ${origin}: ${reason}`);
}

function refused(name: string, status: number | undefined): ClientError {
  return new ClientError(
    'UNAVAILABLE',
    `${name}: preconnect OPTIONS ${PRECONNECT_PATH}: expected 204, got ${status}`,
    status,
  );
}
