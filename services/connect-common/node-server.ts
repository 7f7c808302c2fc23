import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TransportId } from '../../protocols/types.js';
import type { TlsMaterial } from '../types.js';

/** Idle keep-alive connections live this long, longer than any pause in a benchmark run. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** After the grace period, how long aborted handlers get to write their final status. */
const CUTOFF_MS = 250;

/** What node's http, https and http2 servers all accept (http2 through its compatibility API). */
export type NodeListener = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

type NodeServer = http.Server | https.Server | http2.Http2Server | http2.Http2SecureServer;

/**
 * One constructor per HTTP transport. h2 refuses the HTTP/1.1 fallback, so a
 * run labelled h2 really is h2; h2c is HTTP/2 with prior knowledge.
 */
const CREATE: Partial<Record<TransportId, (listener: NodeListener, tls: () => TlsMaterial) => NodeServer>> = {
  h1: (listener) => http.createServer(listener),
  h1s: (listener, tls) => https.createServer(keyPair(tls()), listener),
  h2c: (listener) => http2.createServer(listener),
  h2: (listener, tls) => http2.createSecureServer({ ...keyPair(tls()), allowHTTP1: false }, listener),
};

/** A listening node server plus what `close()` needs to free everything. */
export interface NodeHttpServer {
  readonly port: number;
  readonly scheme: 'http' | 'https';
  /** TCP connections accepted and requests received since start. */
  stats(): { readonly connections: number; readonly requests: number };
  /**
   * Stops accepting, closes idle connections (HTTP/2 sessions get GOAWAY),
   * waits up to `graceMs` for in-flight requests, calls `cutoff` (which
   * aborts handlers still running) and gives them a moment to answer, then
   * destroys every remaining socket.
   */
  close(graceMs: number, cutoff: () => void): Promise<void>;
}

/**
 * Serves `listener` on node's http, https or http2 for one transport. Kept
 * apart from connect-es so that the socket bookkeeping (Nagle off, sessions
 * and sockets tracked, bounded drain) is the same for every protocol here.
 */
export async function listenNode(
  name: string,
  transport: TransportId,
  listener: NodeListener,
  options: { readonly host: string; readonly port: number; readonly tls?: TlsMaterial },
): Promise<NodeHttpServer> {
  const create = CREATE[transport];
  if (!create) {
    throw new Error(`${name}: expected transport ${Object.keys(CREATE).join(', ')}, got ${transport}`);
  }
  const tls = (): TlsMaterial => {
    if (options.tls) return options.tls;
    throw new Error(`${name}: transport ${transport} needs options.tls (certificate and key), got none`);
  };
  const inflight = new InFlight();
  const server = create((req, res) => {
    inflight.track(res);
    listener(req, res);
  }, tls);
  if (server instanceof http.Server) server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const sockets = new Set<Socket>();
  const sessions = new Set<http2.Http2Session>();
  let accepted = 0;
  // TLS servers report the raw TCP socket here too, before the handshake.
  server.on('connection', (socket: Socket) => {
    accepted++;
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session: http2.Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  const port = await listen(server, options.host, options.port);
  return {
    port,
    scheme: transport === 'h1s' || transport === 'h2' ? 'https' : 'http',
    stats: () => ({ connections: accepted, requests: inflight.started }),
    async close(graceMs, cutoff) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if (server instanceof http.Server) server.closeIdleConnections();
      for (const session of sessions) session.close();
      await inflight.idle(graceMs);
      // Handlers told to stop still get a moment to send their error status.
      cutoff();
      await inflight.idle(CUTOFF_MS);
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function keyPair(tls: TlsMaterial): { cert: string; key: string } {
  return { cert: tls.certPem, key: tls.keyPem };
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

/** Counts requests whose response has not closed yet, and wakes `close()` when none are left. */
class InFlight {
  started = 0;
  private active = 0;
  private onIdle: (() => void) | undefined;

  track(res: { once(event: 'close', fn: () => void): unknown }): void {
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
