import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TransportId } from '../../protocols/types.js';
import type { StartOptions, TlsMaterial } from '../types.js';
import type { FetchHandler } from './handler.js';
import { type NodeRequest, type NodeResponse, nodeListener } from './node-bridge.js';

/** How long `close()` lets in-flight requests finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 5000;
/** Idle keep-alive connections live this long, longer than any pause in a benchmark run. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

type Listener = (req: NodeRequest, res: NodeResponse) => void;
type NodeServer = http.Server | https.Server | http2.Http2Server | http2.Http2SecureServer;

/** A fetch handler being served on one transport: what every entry of the transport table returns. */
export interface Served {
  readonly url: string;
  /** Connections (TCP or QUIC) accepted and requests received since start. */
  stats(): { readonly connections: number; readonly requests: number };
  close(): Promise<void>;
}

/** How a node:http(s)/http2 transport makes its server. */
export interface NodeTransportSpec {
  readonly scheme: 'http' | 'https';
  create(listener: Listener, tls: TlsMaterial | undefined): NodeServer;
}

/**
 * The TCP transports. All share the same fetch handler through the node
 * bridge (http2 via its compatibility API); h2 refuses HTTP/1.1 fallback so
 * a run labelled h2 really is h2.
 */
export const NODE_TRANSPORTS = {
  h1: { scheme: 'http', create: (listener) => http.createServer(listener) },
  h1s: {
    scheme: 'https',
    create: (listener, tls) => https.createServer(tlsOptions('h1s', tls), listener),
  },
  h2: {
    scheme: 'https',
    create: (listener, tls) =>
      http2.createSecureServer({ ...tlsOptions('h2', tls), allowHTTP1: false }, listener),
  },
  h2c: { scheme: 'http', create: (listener) => http2.createServer(listener) },
} as const satisfies Record<string, NodeTransportSpec>;

/**
 * Serves a fetch handler on node's http/https/http2 according to the
 * transport spec, and counts accepted TCP connections and requests.
 */
export async function serveNode(
  spec: NodeTransportSpec,
  handler: FetchHandler,
  options: StartOptions,
): Promise<Served> {
  let origin = '';
  const bridge = nodeListener(handler, () => origin);
  const inflight = new InFlight();
  const server = spec.create((req, res) => {
    inflight.track(res);
    bridge(req, res);
  }, options.tls);
  if ('keepAliveTimeout' in server) server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const sockets = trackSockets(server);
  const port = await listen(server, options.host, options.port);
  origin = `${spec.scheme}://${hostPort(options.host, port)}`;
  let closing: Promise<void> | undefined;
  return {
    url: origin,
    stats: () => ({ connections: sockets.accepted, requests: inflight.started }),
    close: () => {
      closing ??= shutdown(server, sockets, inflight);
      return closing;
    },
  };
}

/** The certificate and key a TLS transport needs, or a start-up error naming what is missing. */
export function tlsOptions(
  transport: TransportId,
  tls: TlsMaterial | undefined,
): { cert: string; key: string } {
  if (!tls) throw new Error(`rest: transport ${transport} needs options.tls (certificate and key), got none`);
  return { cert: tls.certPem, key: tls.keyPem };
}

/** Counts requests whose response has not closed yet, and wakes `close()` when none are left. */
class InFlight {
  started = 0;
  private active = 0;
  private onIdle: (() => void) | undefined;

  track(res: NodeResponse): void {
    this.started++;
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
  /** Sockets to cut at shutdown. */
  readonly open: Set<Socket>;
  /** HTTP/2 sessions, to send GOAWAY at shutdown. */
  readonly sessions: Set<http2.Http2Session>;
  /** A running count, to report keep-alive reuse. */
  accepted: number;
}

/** Tracks what `close()` must end, and turns Nagle off on every connection (small NDJSON writes). */
function trackSockets(server: NodeServer): Tracked {
  const tracked: Tracked = { open: new Set(), sessions: new Set(), accepted: 0 };
  server.on('connection', (socket: Socket) => {
    tracked.accepted++;
    socket.setNoDelay(true);
    tracked.open.add(socket);
    socket.once('close', () => tracked.open.delete(socket));
  });
  // Only http2 servers emit 'session'.
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
 * Stop accepting and close idle connections (HTTP/2 sessions get GOAWAY),
 * let in-flight requests finish within the grace period, then cut every
 * remaining socket — so `close()` always settles and leaves no handle open.
 */
async function shutdown(server: NodeServer, tracked: Tracked, inflight: InFlight): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if (server instanceof http.Server) server.closeIdleConnections();
  for (const session of tracked.sessions) session.close();
  await inflight.idle(SHUTDOWN_GRACE_MS);
  if (server instanceof http.Server) server.closeAllConnections();
  for (const socket of tracked.open) socket.destroy();
  await closed;
}

/** IPv6 literals need brackets in URLs. */
function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
