import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { drainWithin } from '../realtime/http-util.js';
import type { RealtimeLimits } from '../realtime/types.js';
import { GRAPHQL_PATH } from './documents.js';
import { abortOnReturn, type Extra, endOperation, prepare, type Roots } from './ws-operations.js';
import type { GraphqlYoga } from './yoga.js';

/**
 * Transports the WebSocket carrier rides on: graphql-ws takes the HTTP/1.1
 * Upgrade (through `ws`); WebSocket over HTTP/2 (RFC 8441) and HTTP/3
 * (RFC 9220) have no Node server here.
 */
export const GRAPHQL_WS_TRANSPORTS = ['h1', 'h1s'] as const;

/** How long `close()` waits for clients to answer the 1001 close frame before their sockets are cut. */
const CLOSE_GRACE_MS = 1000;

/** The WebSocket carrier on one HTTP server: its live sockets, a mass cut, a going-away close. */
export interface GraphqlWsCarrier {
  /** Open graphql-transport-ws connections. */
  connections(): number;
  /** Cuts every WebSocket's TCP connection (no close frame); returns how many. */
  dropConnections(): number;
  /** Stops taking upgrades, sends 1001 to every client, cuts those that do not close within a second. */
  close(): Promise<void>;
}

/**
 * GraphQL over WebSocket (the `graphql-transport-ws` subprotocol, graphql-ws)
 * on `server`'s upgrades to the GraphQL path, executing through the same yoga
 * instance as the HTTP carrier (its envelop plugins: limits, masking,
 * per-request scope). graphql-ws's protocol core (`makeServer`) answers every
 * protocol fault with its close code — 4400 a message that is not JSON or not
 * a known message, 4401 a subscribe before `connection_init` was acknowledged,
 * 4409 a second operation under a live id, 4429 a second `connection_init`,
 * 4408 no `connection_init` in time, 4406 another subprotocol — and `ws`
 * closes 1002/1007 on framing faults and 1009 on a message over
 * `maxPayloadBytes`; only that connection ends. A refused operation (bad
 * query, too many at once on one connection) is an `error` message for its
 * id, the connection goes on. The glue to `ws` is written here rather than
 * taken from `graphql-ws/use/ws` because that one logs every peer fault with
 * console.error (an abuse test would flood the service's output) and has no
 * place for the limits every push service here enforces: heartbeat, idle
 * timeout, slow-consumer cut, connection counts.
 */
export function attachGraphqlWs(
  server: HttpServer | HttpsServer,
  yoga: GraphqlYoga,
  limits: RealtimeLimits,
  origin: () => string,
): GraphqlWsCarrier {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: true,
    maxPayload: limits.maxPayloadBytes,
    // Compression would make message sizes and CPU differ from the other protocols; off for all.
    perMessageDeflate: false,
    handleProtocols: (offered) => handleProtocols(offered),
  });
  const protocol = makeServer<Record<string, unknown> | undefined, Extra>({
    onSubscribe: (ctx, id, payload) => prepare(yoga, limits, ctx, id, payload),
    execute: (args) => (args.rootValue as Roots).execute(args),
    subscribe: async (args) => {
      const roots = args.rootValue as Roots;
      return abortOnReturn(await roots.subscribe(args), roots.abort);
    },
    onComplete: (ctx, id) => endOperation(ctx.extra, id),
    onError: (ctx, id) => {
      // A subscription that already streamed and then failed (the hub dropped a subscriber that fell
      // behind): a cut, as every push adapter here does, so the client resumes after its last seq.
      if (ctx.subscriptions[id]) ctx.extra.socket.terminate();
      endOperation(ctx.extra, id);
    },
  });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    if (new URL(req.url ?? '/', 'http://x').pathname !== GRAPHQL_PATH) {
      return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, req));
  };
  const serveSocket = (ws: WebSocket, req: IncomingMessage): void => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    const extra: Extra = { socket: ws, url: `${origin()}${GRAPHQL_PATH}`, headers, operations: new Map() };
    // `ws` has already closed with the RFC 6455 code (1002, 1007, 1009) when it reports a peer's fault.
    ws.on('error', () => {});
    const closed = protocol.opened(
      {
        protocol: ws.protocol,
        send: (data) => send(ws, data, limits),
        close: (code, reason) => ws.close(code, reason),
        onMessage: (handle) =>
          ws.on('message', (data) => {
            idle.refresh();
            handle(String(data)).catch(() => ws.close(CloseCode.InternalServerError, 'internal error'));
          }),
      },
      extra,
    );
    // Idle: no message and no operation for idleTimeoutMs → a normal close (as the WebSocket service does).
    const idle = setTimeout(() => {
      if (extra.operations.size > 0) return void idle.refresh();
      ws.close(1000, 'idle timeout');
    }, limits.idleTimeoutMs);
    ws.on('pong', () => unanswered.delete(ws));
    ws.once('close', (code, reason) => {
      clearTimeout(idle);
      unanswered.delete(ws);
      for (const abort of extra.operations.values()) abort.abort();
      extra.operations.clear();
      void closed(code, reason.toString()).catch(() => {});
    });
  };
  // Heartbeat, one timer for all: a peer that did not answer the previous ping is gone.
  const unanswered = new Set<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (unanswered.has(ws)) {
        ws.terminate();
        continue;
      }
      unanswered.add(ws);
      ws.ping();
    }
  }, limits.heartbeatMs);
  server.on('upgrade', onUpgrade);
  let closing: Promise<void> | undefined;
  return {
    connections: () => wss.clients.size,
    dropConnections: () => {
      const n = wss.clients.size;
      for (const ws of wss.clients) ws.terminate();
      return n;
    },
    close: () => {
      clearInterval(heartbeat);
      closing ??= goAway(server, onUpgrade, wss);
      return closing;
    },
  };
}

/**
 * Sends one protocol message. Below `maxBufferedBytes` queued it returns at
 * once; above, it waits for the backlog to drain — a reader that does not
 * drain within `slowConsumerMs` is a slow consumer and its TCP connection is
 * cut (a stalled reader cannot take a close frame either).
 */
async function send(ws: WebSocket, data: string, limits: RealtimeLimits): Promise<void> {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(data);
  if (ws.bufferedAmount <= limits.maxBufferedBytes) return;
  const gone = (): boolean => ws.readyState !== ws.OPEN;
  const drained = await drainWithin(
    () => ws.bufferedAmount,
    limits.maxBufferedBytes,
    limits.slowConsumerMs,
    gone,
  );
  if (!drained) ws.terminate();
}

/** Stops taking upgrades, sends 1001 to every client and waits for them, cutting any left after the grace. */
async function goAway(
  server: HttpServer | HttpsServer,
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
  wss: WebSocketServer,
): Promise<void> {
  server.off('upgrade', onUpgrade);
  const closed = [...wss.clients].map(
    (ws) =>
      new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1001, 'server shutting down');
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_GRACE_MS);
  });
  await Promise.race([Promise.all(closed), grace]);
  clearTimeout(timer);
  for (const ws of wss.clients) ws.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
}
