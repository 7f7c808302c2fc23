import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type {
  Http3SecureServer,
  Http3ServerSession,
  IncomingHeaders,
  ServerHttp3Stream,
  StreamFlags,
  StreamListener,
} from '@currentspace/http3';
import { hostPort } from '../host-port.js';
import { loadHttp3 } from './load.js';

/** How long `close()` lets in-flight requests finish before cutting them off. */
const DEFAULT_SHUTDOWN_GRACE_MS = 5000;
/** After the grace period and the cutoff, how long cut-off handlers get to write their final status. */
const CUTOFF_MS = 250;
/** With port 0, how often to retry when the package's TCP (HTTP/2 fallback) bind finds the UDP port's twin taken. */
const PORT_ZERO_ATTEMPTS = 5;
/** quiche's BoringSSL build takes exactly one 48-byte ticket key (docs/SESSION_TICKET_KEYS.md of the package). */
const TICKET_KEY_BYTES = 48;

export interface Http3ServeOptions {
  readonly host: string;
  /** UDP port; 0 picks a free one (the real port is in the result). */
  readonly port: number;
  readonly certPem: string;
  readonly keyPem: string;
  readonly shutdownGraceMs?: number;
  /** QUIC idle timeout; longer than any pause in a benchmark run. Default 65 s, like the TCP servers' keep-alive. */
  readonly maxIdleTimeoutMs?: number;
  /**
   * Called once the grace period of `close()` ran out with requests still in
   * flight: the place to abort long-running handlers (they then get a short
   * moment to send their final status before the connections close).
   */
  readonly onCutoff?: () => void;
  /**
   * The key that encrypts the TLS session tickets this server issues (48
   * bytes). Default: a random one per server, never stored. Pass the same
   * key to a restarted server to let clients resume across the restart.
   */
  readonly sessionTicketKey?: Buffer;
}

/**
 * Serves one request stream; resolves once the whole response was handed to
 * QUIC (or the stream died), never rejects. `origin` is the server's own
 * `https://host:port`, for building request URLs.
 */
export type Http3StreamHandler = (
  stream: ServerHttp3Stream,
  headers: IncomingHeaders,
  flags: StreamFlags,
  origin: string,
) => Promise<void>;

/** A listening HTTP/3 server. */
export interface Http3StreamServer {
  /** The UDP port actually bound. */
  readonly port: number;
  /** `https://host:port` (IPv6 hosts bracketed). */
  readonly url: string;
  /** QUIC connections accepted and requests received since start (for reuse checks). */
  stats(): { readonly connections: number; readonly requests: number };
  /**
   * Closes every QUIC connection at once (CONNECTION_CLOSE, no draining, no
   * end of stream on any request), as a server that lost its state would;
   * returns how many. Tests use it to exercise reconnection and resume.
   */
  dropConnections(): number;
  /**
   * Lets in-flight requests finish (within the grace period), calls
   * `onCutoff` if some are still running and gives them a moment, then
   * closes every connection and the socket.
   */
  close(): Promise<void>;
}

/**
 * Serves HTTP/3 request streams with @currentspace/http3: port-0 binding,
 * connection and request counts, draining shutdown. What happens on a
 * stream is the handler's business: a fetch bridge (serve-fetch.ts) or a
 * connect-es universal handler with trailers (serve-universal.ts) — both
 * need exactly this listener, so it exists once.
 *
 * Note: the package's server also listens on TCP at the same port for its
 * HTTP/2 fallback (it cannot be switched off); that listener hands its
 * streams to the same handler and is closed with the rest.
 */
export async function serveHttp3Streams(
  handler: Http3StreamHandler,
  options: Http3ServeOptions,
): Promise<Http3StreamServer> {
  const tracker = new Tracker();
  let origin = '';
  const onStream: StreamListener = (stream, headers, flags) =>
    tracker.track(handler(stream, headers, flags, origin));
  const server = await listen(options, onStream);
  const sessions = new Set<Http3ServerSession>();
  server.on('session', (session: Http3ServerSession) => {
    tracker.connections++;
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  const port = server.address()?.port ?? options.port;
  origin = `https://${hostPort(options.host, port)}`;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: origin,
    stats: () => ({ connections: tracker.connections, requests: tracker.requests }),
    dropConnections: () => {
      const n = sessions.size;
      for (const session of sessions) void session.destroy().catch(() => {});
      return n;
    },
    close: () => {
      closing ??= (async () => {
        const idle = await tracker.idle(options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
        if (!idle && options.onCutoff) {
          options.onCutoff();
          await tracker.idle(CUTOFF_MS);
        }
        await linger(sessions);
        await server.close();
        await udpPortReleased(options.host, port);
      })();
      return closing;
    },
  };
}

/**
 * Binds UDP then (inside the package) TCP on the same port. With port 0 the
 * kernel picks a free UDP port whose TCP twin may be taken: then retry.
 */
async function listen(options: Http3ServeOptions, onStream: StreamListener): Promise<Http3SecureServer> {
  const { createSecureServer } = await loadHttp3();
  const ticketKey = options.sessionTicketKey ?? randomBytes(TICKET_KEY_BYTES);
  if (ticketKey.length !== TICKET_KEY_BYTES) {
    throw new Error(
      `http3: expected a ${TICKET_KEY_BYTES}-byte session ticket key, got ${ticketKey.length} bytes`,
    );
  }
  for (let attempt = 1; ; attempt++) {
    const server = createSecureServer(
      {
        key: options.keyPem,
        cert: options.certPem,
        maxIdleTimeoutMs: options.maxIdleTimeoutMs ?? 65_000,
        // The package validates every new client address with a QUIC Retry
        // by default: one extra round trip on every cold connection (measured
        // on a 25 ms link: cold TTFB 3.4 RTT instead of QUIC's 2). Servers
        // send Retry only under attack, so the bench measures the normal
        // 1-RTT handshake; anti-amplification still bounds the first flight.
        disableRetry: true,
        // Without a key of ours the package's server accepted only about half
        // of the tickets it had issued itself (11 of 20 offered, measured with
        // 0.9.0: the rest got a full handshake); with one fixed key it
        // resumed every one (75 of 75), so resumed TTFB is measurable.
        sessionTicketKeys: ticketKey,
      },
      onStream,
    );
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.once('listening', () => {
          server.off('error', reject);
          resolve();
        });
        server.listen(options.port, options.host);
      });
      // Later errors belong to single connections; they must not crash the process.
      server.on('error', () => {});
      return server;
    } catch (error) {
      await server.close();
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!inUse || options.port !== 0 || attempt >= PORT_ZERO_ATTEMPTS) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`http3: expected to listen on ${options.host}:${options.port}, got ${message}`);
      }
    }
  }
}

/** Counts connections and requests, and wakes `close()` when no request is in flight. */
class Tracker {
  connections = 0;
  requests = 0;
  private active = 0;
  private onIdle: (() => void) | undefined;

  track(done: Promise<void>): void {
    this.requests++;
    this.active++;
    void done.finally(() => {
      this.active--;
      if (this.active === 0) this.onIdle?.();
    });
  }

  /** Resolves true when nothing is in flight, or false after `ms` — whichever comes first. */
  idle(ms: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean): void => {
        clearTimeout(timer);
        this.onIdle = undefined;
        resolve(idle);
      };
      const timer = setTimeout(() => done(false), ms);
      this.onIdle = () => done(true);
    });
  }
}

/**
 * Waits a few round trips before closing: the last responses were handed to
 * QUIC, but closing the connections at once could drop packets still
 * unsent or lost (CONNECTION_CLOSE does not flush). 3 × the largest smoothed
 * RTT gives the peer time to ACK and QUIC time to retransmit once; bounded
 * to 10 ms … 1 s.
 */
async function linger(sessions: ReadonlySet<Http3ServerSession>): Promise<void> {
  if (sessions.size === 0) return;
  let rttMs = 0;
  for (const session of sessions) rttMs = Math.max(rttMs, session.getMetrics()?.rttMs ?? 0);
  const ms = Math.min(1000, Math.max(10, 3 * rttMs));
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves once the UDP port can be bound again (at most ~2 s). With the
 * io_uring runtime the package's close() resolves before the kernel lets go
 * of the socket (measured: 30–90 ms later), and a caller restarting on the
 * same port would get EADDRINUSE.
 */
async function udpPortReleased(host: string, port: number): Promise<void> {
  const type = isIPv6(host.replace(/^\[(.*)\]$/, '$1')) ? 'udp6' : 'udp4';
  for (let attempt = 0; attempt < 200; attempt++) {
    const free = await new Promise<boolean>((resolve) => {
      const socket = dgram.createSocket(type);
      socket.once('error', () => {
        socket.close();
        resolve(false);
      });
      socket.bind(port, host, () => socket.close(() => resolve(true)));
    });
    if (free) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
