import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TransportId } from '../../protocols/types.js';
import type { StartOptions, TlsMaterial } from '../types.js';
import { type FetchHandler, type NodeRequest, type NodeResponse, nodeListener } from './node-bridge.js';

/** How long `close()` lets in-flight requests (and open subscriptions) finish before cutting connections. */
export const SHUTDOWN_GRACE_MS = 5000;
/** Idle keep-alive connections live this long, longer than any pause in a benchmark run. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

type Listener = (req: NodeRequest, res: NodeResponse) => void;
type NodeServer = http.Server | https.Server | http2.Http2Server | http2.Http2SecureServer;

/** A fetch handler being served on one transport: what every entry of server.ts's transport table returns. */
export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

/** The TCP transports. h2 refuses HTTP/1.1 fallback so a run labelled h2 really is h2. */
const NODE_TRANSPORTS: Partial<
  Record<TransportId, { scheme: 'http' | 'https'; create(listener: Listener, tls?: TlsMaterial): NodeServer }>
> = {
  h1: { scheme: 'http', create: (listener) => http.createServer(listener) },
  h1s: { scheme: 'https', create: (listener, tls) => https.createServer(tlsOptions('h1s', tls), listener) },
  h2: {
    scheme: 'https',
    create: (listener, tls) =>
      http2.createSecureServer({ ...tlsOptions('h2', tls), allowHTTP1: false }, listener),
  },
  h2c: { scheme: 'http', create: (listener) => http2.createServer(listener) },
};

/**
 * Serves a fetch handler (the yoga instance) on node:http/https/http2
 * through the node bridge, which buffers request bodies up to
 * `maxBodyBytes + 1` bytes (the rest is drained so the connection stays
 * usable) — the handler's own limit then answers 413.
 */
export async function serveNode(
  handler: FetchHandler,
  options: StartOptions,
  maxBodyBytes: number,
): Promise<Served> {
  const spec = NODE_TRANSPORTS[options.transport];
  if (!spec) throw new Error(`graphql: expected a TCP transport, got ${options.transport}`);
  let origin = '';
  const bridge = nodeListener(handler, () => origin, maxBodyBytes);
  const inflight = new InFlight();
  const server = spec.create((req, res) => {
    inflight.track(res);
    bridge(req, res);
  }, options.tls);
  if ('keepAliveTimeout' in server) server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const tracked = trackConnections(server);
  const port = await listen(server, options.host, options.port);
  origin = `${spec.scheme}://${hostPort(options.host, port)}`;
  let closing: Promise<void> | undefined;
  return {
    url: origin,
    close: () => {
      closing ??= shutdown(server, tracked, inflight);
      return closing;
    },
  };
}

/** The certificate and key a TLS transport needs, or an error naming the transport. */
export function tlsOptions(
  transport: TransportId,
  tls: TlsMaterial | undefined,
): { cert: string; key: string } {
  if (!tls)
    throw new Error(`graphql: transport ${transport} needs options.tls (certificate and key), got none`);
  return { cert: tls.certPem, key: tls.keyPem };
}

/** Counts responses not yet closed, and wakes `close()` when none are left. */
class InFlight {
  private active = 0;
  private onIdle: (() => void) | undefined;

  track(res: NodeResponse): void {
    this.active++;
    res.once('close', () => {
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

interface Tracked {
  readonly sockets: Set<Socket>;
  readonly sessions: Set<http2.Http2Session>;
}

/** Tracks what `close()` must end, and turns Nagle off on every connection (SSE events are small writes). */
function trackConnections(server: NodeServer): Tracked {
  const tracked: Tracked = { sockets: new Set(), sessions: new Set() };
  // TLS servers emit 'secureConnection' too, but 'connection' (the TCP socket) is what must be destroyed.
  server.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    tracked.sockets.add(socket);
    socket.once('close', () => tracked.sockets.delete(socket));
  });
  server.on('session', (session: http2.Http2Session) => {
    tracked.sessions.add(session);
    session.once('close', () => tracked.sessions.delete(session));
  });
  return tracked;
}

function listen(server: NodeServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Stop accepting, close idle connections (HTTP/2 sessions get GOAWAY), let
 * in-flight requests finish within the grace period, then cut every socket
 * left — so `close()` always settles and leaves no handle open.
 */
async function shutdown(server: NodeServer, tracked: Tracked, inflight: InFlight): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if (server instanceof http.Server) server.closeIdleConnections();
  for (const session of tracked.sessions) session.close();
  await inflight.idle(SHUTDOWN_GRACE_MS);
  if (server instanceof http.Server) server.closeAllConnections();
  for (const socket of tracked.sockets) socket.destroy();
  await closed;
}

/** IPv6 literals need brackets in URLs. */
function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
