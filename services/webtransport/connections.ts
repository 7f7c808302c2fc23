import type { Http2Server, Http2Session } from 'node:http2';
import type { Socket } from 'node:net';

/** The connections under the package's HTTP/2 server: cut them all, or stop watching. */
export interface WatchedConnections {
  /** Destroys every TCP socket (a network cut: no close capsule, no GOAWAY); returns how many. */
  destroyAll(): number;
  stop(): void;
}

/**
 * Watches the TCP connections under @fails-components' HTTP/2 server — kept
 * in `transportInt.serverInt` (1.6.8), created inside `startServer()` and
 * listening by `ready`, when this is called; if that shape changes, starting
 * fails loudly instead of a drop silently cutting nothing.
 *
 * Heartbeat: every `heartbeatMs` each HTTP/2 connection is PINGed; one that
 * has not answered the previous PING is destroyed. Without it a peer that
 * vanished without a FIN (power loss, a dead NAT) would hold its session and
 * subscriptions until TCP gave up, minutes later — the same rule the
 * WebSocket service applies with its ping frames.
 */
export function watchConnections(server: object, heartbeatMs: number): WatchedConnections {
  const inner = (server as { transportInt?: { serverInt?: Http2Server } }).transportInt?.serverInt;
  if (!inner) {
    throw new Error(
      'webtransport: expected the package to expose its HTTP/2 server (transportInt.serverInt), got none',
    );
  }
  const sockets = new Set<Socket>();
  inner.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const sessions = new Set<Http2Session>();
  inner.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.on('error', () => {});
  });
  const unanswered = new WeakSet<Http2Session>();
  const heartbeat = setInterval(() => {
    for (const session of sessions) {
      if (unanswered.has(session)) {
        session.destroy();
        continue;
      }
      unanswered.add(session);
      try {
        session.ping((error) => {
          if (!error) unanswered.delete(session);
        });
      } catch {
        // Closing already: its 'close' removes it.
      }
    }
  }, heartbeatMs);
  return {
    destroyAll: () => {
      const n = sockets.size;
      for (const socket of sockets) socket.destroy();
      return n;
    },
    stop: () => clearInterval(heartbeat),
  };
}
