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
type NodeServer = http.Server | https.Server | http2.Http2Server | http2.Http2SecureServer;

/** A listener being served on one TCP transport. */
export interface NodeServed {
  readonly url: string;
  /** TCP connections accepted and requests received since start (for keep-alive reuse checks). */
  stats(): { readonly connections: number; readonly requests: number };
  close(): Promise<void>;
}

/** How a node:http(s)/http2 transport makes its server. */
interface NodeTransportSpec {
  readonly scheme: 'http' | 'https';
  create(listener: NodeListener, tls: TlsMaterial): NodeServer;
}

/**
 * The TCP transports, shared by every adapter that serves through node's
 * own stacks (REST and GraphQL). h2 refuses HTTP/1.1 fallback so a run
 * labelled h2 really is h2.
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
 * settles and leaves no handle open. Nagle is off on every connection
 * (streamed NDJSON lines and SSE events are small writes). `makeListener`
 * gets the origin lazily, since the port is known only after listening.
 * `name` prefixes start-up errors ("rest: transport h2 needs options.tls…").
 */
export async function serveNodeListener(
  name: string,
  makeListener: (origin: () => string) => NodeListener,
  options: StartOptions,
  graceMs = SHUTDOWN_GRACE_MS,
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
    stats: () => ({ connections: tracked.accepted, requests: inflight.started }),
    close: () => {
      closing ??= shutdown(server, tracked, inflight, graceMs);
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

async function shutdown(server: NodeServer, tracked: Tracked, inflight: InFlight, graceMs: number) {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if (server instanceof http.Server) server.closeIdleConnections();
  for (const session of tracked.sessions) session.close();
  await inflight.idle(graceMs);
  if (server instanceof http.Server) server.closeAllConnections();
  for (const socket of tracked.open) socket.destroy();
  await closed;
}
