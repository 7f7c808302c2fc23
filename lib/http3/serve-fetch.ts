import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Http3SecureServer, Http3ServerSession, StreamListener } from '@currentspace/http3';
import { type FetchHandler, serveStream } from './fetch-stream.js';
import { loadHttp3 } from './load.js';

/** How long `close()` lets in-flight requests finish before closing every QUIC connection. */
const DEFAULT_SHUTDOWN_GRACE_MS = 5000;
/** With port 0, how often to retry when the package's TCP (HTTP/2 fallback) bind finds the UDP port's twin taken. */
const PORT_ZERO_ATTEMPTS = 5;

export interface Http3ServeOptions {
  readonly host: string;
  /** UDP port; 0 picks a free one (the real port is in the result). */
  readonly port: number;
  readonly certPem: string;
  readonly keyPem: string;
  readonly shutdownGraceMs?: number;
  /** QUIC idle timeout; longer than any pause in a benchmark run. Default 65 s, like the TCP servers' keep-alive. */
  readonly maxIdleTimeoutMs?: number;
}

/** A fetch handler listening on HTTP/3. */
export interface Http3FetchServer {
  /** The UDP port actually bound. */
  readonly port: number;
  /** `https://host:port` (IPv6 hosts bracketed). */
  readonly url: string;
  /** QUIC connections accepted and requests received since start (for reuse checks). */
  stats(): { readonly connections: number; readonly requests: number };
  /** Lets in-flight requests finish (within the grace period), then closes every connection and the socket. */
  close(): Promise<void>;
}

/**
 * Serves any fetch handler (REST, GraphQL, Connect) over HTTP/3 with
 * @currentspace/http3. Why a shared helper: every protocol's h3 variant
 * needs the same stream ⇄ Request/Response bridge, port-0 binding and
 * draining shutdown, and the package's traps (see fetch-stream.ts) are
 * easier to get right once.
 *
 * Note: the package's server also listens on TCP at the same port for its
 * HTTP/2 fallback (it cannot be switched off); that listener serves the same
 * handler and is closed with the rest.
 */
export async function serveFetchOverHttp3(
  handler: FetchHandler,
  options: Http3ServeOptions,
): Promise<Http3FetchServer> {
  const tracker = new Tracker();
  let origin = '';
  const onStream: StreamListener = (stream, headers, flags) =>
    tracker.track(serveStream(handler, stream, headers, flags, origin));
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
    close: () => {
      closing ??= (async () => {
        await tracker.idle(options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
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
  for (let attempt = 1; ; attempt++) {
    const server = createSecureServer(
      {
        key: options.keyPem,
        cert: options.certPem,
        maxIdleTimeoutMs: options.maxIdleTimeoutMs ?? 65_000,
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

  /** Resolves when nothing is in flight, or after `ms` — whichever comes first. */
  idle(ms: number): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.onIdle = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.onIdle = done;
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

/** IPv6 literals need brackets in URLs. */
function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
