import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { FeedCore } from '../core/index.js';
import { type NodeRequest, type NodeResponse, startHttpHost } from '../realtime/http-host.js';
import { HttpFailure, sendError } from '../realtime/http-util.js';
import { type RealtimeServerHandle, type RealtimeStartOptions, resolveLimits } from '../realtime/types.js';
import type { StartServer } from '../types.js';
import { fanOutParser } from './encoder.js';
import { SOCKETIO_PATH } from './protocol.js';
import { SioSession } from './session.js';

/**
 * Transports Socket.IO runs on: HTTP/1.1, cleartext and TLS. Its polling
 * transport could ride on HTTP/2 on the server side (engine.io accepts
 * node:http2's compatibility requests), but socket.io-client in Node polls
 * with an XMLHttpRequest polyfill over node:http(s) — HTTP/1.1 only — and its
 * websocket transport needs the HTTP/1.1 Upgrade; the registry says so.
 */
export const SOCKETIO_TRANSPORTS = ['h1', 'h1s'] as const;

/** How long `close()` waits for clients to take their disconnect packet before cutting them. */
const CLOSE_GRACE_MS = 1000;

type Conn = Socket['conn'];

/** engine.io's two transports, as the server names them. */
export type EngineTransport = 'websocket' | 'polling';

/**
 * The Socket.IO server handle: a RealtimeServerHandle that also says which
 * engine.io transport each live session uses, so tests can check a client
 * asked for one really rides on it (and was never upgraded).
 */
export interface SocketIoServerHandle extends RealtimeServerHandle {
  sessionsByTransport(): Record<EngineTransport, number>;
}

/**
 * Socket.IO (socket.io 4, engine.io 6) on `/socket.io/`: both engine.io
 * transports — long-polling and WebSocket — without upgrades being forced,
 * so a client that asks for one transport keeps it and each is measured on
 * its own. The wirebench protocol (protocol.ts) rides on Socket.IO events
 * with acknowledgements. Limits map onto engine.io's own: `maxPayloadBytes`
 * is `maxHttpBufferSize` (a WebSocket message over it closes with 1009; a
 * polling POST over it gets 413 and its session is closed), `heartbeatMs` is
 * the ping interval and the pong deadline. A packet engine.io or
 * socket.io-parser cannot decode closes that connection only.
 */
export async function startSocketIo(
  core: FeedCore,
  options: RealtimeStartOptions,
): Promise<SocketIoServerHandle> {
  const limits = resolveLimits(options);
  // Requests outside /socket.io/ get a JSON 404, as the other realtime services answer.
  const host = await startHttpHost('socketio', SOCKETIO_TRANSPORTS, options, (req, res) =>
    sendError(res, new HttpFailure(404, 'NOT_FOUND', `path: expected ${SOCKETIO_PATH}…, got ${req.url}`)),
  );
  const io = new Server({
    path: SOCKETIO_PATH,
    serveClient: false,
    transports: ['polling', 'websocket'],
    maxHttpBufferSize: limits.maxPayloadBytes,
    pingInterval: limits.heartbeatMs,
    pingTimeout: limits.heartbeatMs,
    connectTimeout: Math.min(limits.idleTimeoutMs, 45_000),
    // Compression would make message sizes and CPU differ from the other protocols; off for all.
    perMessageDeflate: false,
    httpCompression: false,
    parser: fanOutParser,
  });
  const server = host.server as HttpServer;
  io.attach(server);
  const sessions = trackSessions(io);
  server.prependListener('request', (req, res) => closeOn413(req, res, sessions));
  io.on('connection', (socket) => new SioSession(socket, core, limits));
  let closing: Promise<void> | undefined;
  return {
    protocol: 'socketio',
    transport: options.transport,
    url: host.url,
    connections: () => io.engine.clientsCount,
    sessionsByTransport: () => {
      const count = { websocket: 0, polling: 0 };
      for (const conn of sessions.values()) count[conn.transport.name as EngineTransport]++;
      return count;
    },
    dropConnections: () => {
      const cut = host.dropConnections();
      // A polling session outlives its TCP connections (each poll is a request of its own):
      // forget the sessions too, as a server losing its network state would.
      for (const conn of sessions.values()) conn.close(true);
      return cut;
    },
    close: () => {
      closing ??= (async () => {
        await goAway(io);
        await Promise.all([new Promise<void>((resolve) => void io.close(() => resolve())), host.close()]);
      })();
      return closing;
    },
  };
}

/** Every protocol's `index.ts` exports `start`; this is Socket.IO's. */
export const start: StartServer = startSocketIo;

/** engine.io sessions by id (the `sid` of polling requests). */
function trackSessions(io: Server): Map<string, Conn> {
  const sessions = new Map<string, Conn>();
  io.engine.on('connection', (conn: Conn) => {
    // engine.io types its session id as private; it is the documented `sid` of every request.
    const { id } = conn as unknown as { readonly id: string };
    sessions.set(id, conn);
    conn.once('close', () => sessions.delete(id));
  });
  return sessions;
}

/**
 * engine.io answers a polling POST over `maxHttpBufferSize` with 413 but
 * leaves the session open; a message too big ends the connection here, as it
 * does over WebSocket (1009). Runs before engine.io's own request listener.
 */
function closeOn413(req: NodeRequest, res: NodeResponse, sessions: Map<string, Conn>): void {
  if (req.method !== 'POST' || !req.url?.startsWith(SOCKETIO_PATH)) return;
  const sid = new URL(req.url, 'http://x').searchParams.get('sid');
  if (!sid) return;
  res.once('finish', () => {
    if (res.statusCode === 413) sessions.get(sid)?.close(true);
  });
}

/** Sends every client a disconnect packet and waits for their sessions to end, at most CLOSE_GRACE_MS. */
async function goAway(io: Server): Promise<void> {
  io.disconnectSockets(true);
  const deadline = performance.now() + CLOSE_GRACE_MS;
  while (io.engine.clientsCount > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
