import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { FeedCore } from '../core/index.js';
import { startHttpHost } from '../realtime/http-host.js';
import { HttpFailure, sendError } from '../realtime/http-util.js';
import { type RealtimeServerHandle, type RealtimeStartOptions, resolveLimits } from '../realtime/types.js';
import type { StartServer } from '../types.js';
import { encodingOf, SUBPROTOCOLS, WS_PATH } from './frame-types.js';
import { WsSession } from './session.js';

/**
 * Transports WebSocket runs on: the HTTP/1.1 Upgrade (RFC 6455). WebSocket
 * over HTTP/2 (RFC 8441, extended CONNECT) is not offered: `ws` speaks only
 * the HTTP/1.1 handshake.
 */
export const WEBSOCKET_TRANSPORTS = ['h1', 'h1s'] as const;

/** How long `close()` waits for clients to answer the 1001 close frame before cutting them. */
const CLOSE_GRACE_MS = 1000;

/**
 * WebSocket (`ws`) on `/ws`: the wirebench message protocol (frames.ts) in
 * JSON text frames or binary protobuf frames, chosen by subprotocol. `ws`
 * enforces the framing rules itself — a bad opcode, reserved bits, an
 * unmasked client frame close with 1002, invalid UTF-8 with 1007, a message
 * over `maxPayloadBytes` with 1009 — and only that connection ends.
 */
export async function startWebSocket(
  core: FeedCore,
  options: RealtimeStartOptions,
): Promise<RealtimeServerHandle> {
  const limits = resolveLimits(options);
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: limits.maxPayloadBytes,
    // Compression would make message sizes and CPU differ from the other protocols; off for all.
    perMessageDeflate: false,
    handleProtocols: (offered) =>
      offered.has(SUBPROTOCOLS.proto)
        ? SUBPROTOCOLS.proto
        : offered.has(SUBPROTOCOLS.json) && SUBPROTOCOLS.json,
  });
  const sessions = new Set<WsSession>();
  // A plain HTTP request gets 426: this endpoint only upgrades.
  const host = await startHttpHost('websocket', WEBSOCKET_TRANSPORTS, options, (req, res) =>
    sendError(
      res,
      new HttpFailure(426, 'UNIMPLEMENTED', `expected a WebSocket upgrade on ${WS_PATH}, got ${req.method}`),
    ),
  );
  (host.server as HttpServer).on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (new URL(req.url ?? '/', 'http://x').pathname !== WS_PATH) {
      return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new WsSession(ws, core, limits, encodingOf(ws.protocol));
      sessions.add(session);
      ws.once('close', () => sessions.delete(session));
    });
  });
  const heartbeat = setInterval(() => {
    for (const session of sessions) session.heartbeat();
  }, limits.heartbeatMs);
  let closing: Promise<void> | undefined;
  return {
    protocol: 'websocket',
    transport: options.transport,
    url: host.url,
    connections: () => sessions.size,
    dropConnections: host.dropConnections,
    close: () => {
      closing ??= (async () => {
        clearInterval(heartbeat);
        await goAway(sessions);
        await host.close();
      })();
      return closing;
    },
  };
}

/** Every protocol's `index.ts` exports `start`; this is WebSocket's. */
export const start: StartServer = startWebSocket;

/** Sends 1001 (going away) to every client and waits for them to close, at most CLOSE_GRACE_MS. */
async function goAway(sessions: Set<WsSession>): Promise<void> {
  const closed = [...sessions].map(
    (s) =>
      new Promise<void>((resolve) => {
        s.ws.once('close', () => resolve());
        s.ws.close(1001, 'server shutting down');
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_GRACE_MS);
  });
  await Promise.race([Promise.all(closed), grace]);
  clearTimeout(timer);
}
