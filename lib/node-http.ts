import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TransportId } from '../protocols/types.js';
import type { StartOptions, TlsMaterial } from '../services/types.js';
import { hostPort } from './host-port.js';

/** How long `close()` lets in-flight requests finish before cutting connections. */
export const SHUTDOWN_GRACE_MS = 5000;
/** Idle keep-alive connections live this long, longer than any pause in a benchmark run. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;
export type NodeListener = (req: NodeRequest, res: NodeResponse) => void;
export type NodeServer = http.Server | https.Server | http2.Http2Server | http2.Http2SecureServer;

/** After the grace period, how long handlers told to stop get to write their final status. */
const CUTOFF_MS = 250;

/** A listener being served on one TCP transport. */
export interface NodeServed {
  readonly url: string;
  /** The node server, for adapters that also take HTTP/1.1 upgrades (GraphQL over WebSocket); absent on h3. */
  readonly server?: NodeServer;
  /** TCP connections accepted and requests received since start (for keep-alive reuse checks). */
  stats(): { readonly connections: number; readonly requests: number };
  /**
   * Destroys every open socket (HTTP/2 sessions with them) without a close
   * frame or end of stream, as a network failure would; returns how many
   * sockets were cut. Push services use it so clients reconnect and resume.
   */
  dropConnections(): number;
  close(): Promise<void>;
}

/** How `close()` drains: the grace period, and what stops handlers still running when it ends. */
export interface NodeDrain {
  /** In-flight requests get this long to finish (default {@link SHUTDOWN_GRACE_MS}). */
  readonly graceMs?: number;
  /**
   * Called once the grace period is over with requests still in flight
   * (e.g. aborting connect-es' shutdown signal); they then get a moment to
   * send their error status before their sockets are cut. Without it the
   * sockets are cut at once.
   */
  readonly onCutoff?: () => void;
}

/** How a node:http(s)/http2 transport makes its server. */
interface NodeTransportSpec {
  readonly scheme: 'http' | 'https';
  create(listener: NodeListener, tls: TlsMaterial): NodeServer;
}

/**
 * The TCP transports, shared by every adapter that serves through node's
 * own stacks (REST, GraphQL, Connect and gRPC-Web). h2 refuses HTTP/1.1
 * fallback (ALPN offers h2 only) so a run labelled h2 really is h2; h2c is
 * HTTP/2 with prior knowledge. HTTP/2 streams are full duplex through the
 * compatibility API, which connect-es' bidi streaming needs.
 */
const NODE_TRANSPORTS: Partial<Record<TransportId, NodeTransportSpec>> = {
  h1: { scheme: 'http', create: (listener) => http.createServer(listener) },
  h1s: { scheme: 'https', create: (listener, tls) => https.createServer(certKey(tls), listener) },
  h2: {
    scheme: 'https',
    create: (listener, tls) => http2.createSecureServer({ ...certKey(tls), allowHTTP1: false }, listener),
  },
  h2c: { scheme: 'http', create: (listener) => http2.createServer(listener) },
};

/**
 * Serves a node listener on the TCP transport `options.transport` names,
 * with the draining shutdown every adapter needs: `close()` stops accepting,
 * sends GOAWAY / closes idle keep-alives, lets in-flight requests finish
 * within the grace period, then cuts every socket left — so it always
 * settles and leaves no handle open (`drain` sets the grace period and what
 * stops late handlers). Nagle is off on every connection (streamed NDJSON
 * lines, SSE events and push messages are small writes). `makeListener`
 * gets the origin lazily, since the port is known only after listening.
 * `name` prefixes start-up errors ("rest: transport h2 needs options.tls…").
 */
export async function serveNodeListener(
  name: string,
  makeListener: (origin: () => string) => NodeListener,
  options: StartOptions,
  drain: NodeDrain = {},
): Promise<NodeServed> {
  const spec = NODE_TRANSPORTS[options.transport];
  if (!spec) {
    const known = Object.keys(NODE_TRANSPORTS).join(', ');
    throw new Error(`${name}: expected a TCP transport (${known}), got ${options.transport}`);
  }
  if (spec.scheme === 'https' && !options.tls) {
    throw new Error(
      `${name}: transport ${options.transport} needs options.tls (certificate and key), got none`,
    );
  }
  let origin = '';
  const listener = makeListener(() => origin);
  const inflight = new InFlight();
  const server = spec.create((req, res) => {
    inflight.track(res);
    listener(req, res);
  }, options.tls as TlsMaterial);
  if ('keepAliveTimeout' in server) server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const tracked = trackConnections(server);
  const port = await listen(server, options.host, options.port);
  origin = `${spec.scheme}://${hostPort(options.host, port)}`;
  let closing: Promise<void> | undefined;
  return {
    url: origin,
    server,
    stats: () => ({ connections: tracked.accepted, requests: inflight.started }),
    dropConnections: () => cutAll(tracked),
    close: () => {
      closing ??= shutdown(server, tracked, inflight, drain);
      return closing;
    },
  };
}

function certKey(tls: TlsMaterial): { cert: string; key: string } {
  return { cert: tls.certPem, key: tls.keyPem };
}

/** Counts requests whose response has not closed yet, and wakes `close()` when none are left. */
class InFlight {
  started = 0;
  active = 0;
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
  readonly open: Set<Socket>;
  readonly sessions: Set<http2.Http2Session>;
  accepted: number;
}

function trackConnections(server: NodeServer): Tracked {
  const tracked: Tracked = { open: new Set(), sessions: new Set(), accepted: 0 };
  // TLS servers emit 'secureConnection' too, but 'connection' (the TCP socket) is what must be destroyed.
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
 * Destroys every tracked socket, then what is left of the HTTP/2 sessions;
 * returns how many sockets that was. Sockets first: destroying a session
 * whose socket is still open sends GOAWAY (NO_ERROR), which tells clients
 * their streams ended cleanly — not what a cut connection says.
 */
function cutAll(tracked: Tracked): number {
  const n = tracked.open.size;
  for (const socket of tracked.open) socket.destroy();
  for (const session of tracked.sessions) session.destroy();
  return n;
}

async function shutdown(server: NodeServer, tracked: Tracked, inflight: InFlight, drain: NodeDrain) {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if (server instanceof http.Server) server.closeIdleConnections();
  for (const session of tracked.sessions) session.close();
  await inflight.idle(drain.graceMs ?? SHUTDOWN_GRACE_MS);
  if (drain.onCutoff && inflight.active > 0) {
    // Handlers told to stop still get a moment to send their error status.
    drain.onCutoff();
    await inflight.idle(CUTOFF_MS);
  }
  if (server instanceof http.Server) server.closeAllConnections();
  cutAll(tracked);
  await closed;
}
