import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TransportId } from '../../protocols/types.js';
import type { FeedCore } from '../core/index.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  type ServerHandle,
  type StartOptions,
  type StartServer,
  type TlsMaterial,
} from '../types.js';
import { type NodeRequest, type NodeResponse, nodeListener } from './node-bridge.js';
import { createGraphqlYoga, type GraphqlServerOptions } from './yoga.js';

/** How long `close()` lets in-flight requests (and open subscriptions) finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 5000;
/** Idle keep-alive connections live this long, longer than any pause in a benchmark run. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

type Listener = (req: NodeRequest, res: NodeResponse) => void;
type NodeServer = http.Server | https.Server | http2.Http2Server | http2.Http2SecureServer;

/** StartOptions plus the GraphQL settings (`graphql.dataloader` sets the default when a request does not say). */
export interface GraphqlStartOptions extends StartOptions {
  readonly graphql?: Omit<GraphqlServerOptions, 'maxBodyBytes'>;
}

/**
 * One entry per HTTP transport; all serve the same yoga instance through the
 * node bridge. h2 refuses HTTP/1.1 fallback so a run labelled h2 really is h2.
 */
const TRANSPORTS: Partial<Record<TransportId, (listener: Listener, tls?: TlsMaterial) => NodeServer>> = {
  h1: (listener) => http.createServer(listener),
  h1s: (listener, tls) => https.createServer(tlsOptions('h1s', tls), listener),
  h2: (listener, tls) => http2.createSecureServer({ ...tlsOptions('h2', tls), allowHTTP1: false }, listener),
  h2c: (listener) => http2.createServer(listener),
};

/**
 * Starts the GraphQL adapter (graphql-yoga over the SDL file) on
 * node:http/https/http2 according to `options.transport`. The API is at
 * `${url}/graphql`: POST JSON, GET with `query` or a persisted `id`, and the
 * `feed` subscription as server-sent events.
 */
export async function startGraphql(core: FeedCore, options: GraphqlStartOptions): Promise<ServerHandle> {
  const create = TRANSPORTS[options.transport];
  if (!create) {
    throw new Error(
      `graphql: expected transport ${Object.keys(TRANSPORTS).join(', ')}, got ${options.transport}`,
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const yoga = createGraphqlYoga(core, { ...options.graphql, maxBodyBytes });
  let origin = '';
  const bridge = nodeListener(
    (request) => yoga.fetch(request),
    () => origin,
    maxBodyBytes,
  );
  const inflight = new InFlight();
  const server = create((req, res) => {
    inflight.track(res);
    bridge(req, res);
  }, options.tls);
  if ('keepAliveTimeout' in server) server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const tracked = trackConnections(server);
  const port = await listen(server, options.host, options.port);
  origin = `${options.transport === 'h1s' || options.transport === 'h2' ? 'https' : 'http'}://${hostPort(options.host, port)}`;
  let closing: Promise<void> | undefined;
  return {
    protocol: 'graphql',
    transport: options.transport,
    url: origin,
    close: () => {
      closing ??= shutdown(server, tracked, inflight);
      return closing;
    },
  };
}

/** Every protocol's `index.ts` exports `start`; this is GraphQL's. */
export const start: StartServer = startGraphql;

function tlsOptions(transport: TransportId, tls: TlsMaterial | undefined): { cert: string; key: string } {
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
