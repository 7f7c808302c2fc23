import type { QuicServerSession } from '@currentspace/http3';
import { loadHttp3 } from '../../lib/http3/load.js';
import {
  CLOSE,
  type CloseInfo,
  type PushServerConnection,
  PushServerSession,
  type PushStream,
  within,
} from '../../lib/push-streams/index.js';
import { pushStreamOfQuic, QUIC_ALPN } from '../../lib/quic/index.js';
import type { FeedCore } from '../core/index.js';
import { AsyncQueue } from '../realtime/async-queue.js';
import { type RealtimeServerHandle, type RealtimeStartOptions, resolveLimits } from '../realtime/types.js';
import type { StartServer } from '../types.js';

/**
 * Raw QUIC rides on QUIC + TLS 1.3 — the layers the `h3` label stands for —
 * but carries no HTTP/3 framing (ALPN `wirebench-push`). `h3` is the honest
 * label among the contract's transports: every other one is TCP.
 */
export const QUIC_TRANSPORTS = ['h3'] as const;

/** How long `close()` waits for clients to answer the 1001 close before closing the endpoint. */
const CLOSE_GRACE_MS = 1000;

/**
 * How long a released connection (the client announced its close) may wait
 * for the client's CONNECTION_CLOSE before the server closes it: the client
 * sends it as soon as it reads the FIN answering its announcement.
 */
const RELEASE_LINGER_MS = 5000;

/**
 * The wirebench push protocol (lib/push-streams) on raw QUIC with
 * @currentspace/http3's QUIC API: one QUIC connection per client, each
 * subscription on its own bidirectional stream, length-prefixed protobuf
 * frames, the session close code (QUIC application error code) saying why a
 * session ended. A subscription may ask for its events as QUIC DATAGRAM
 * frames instead (`delivery: 'datagrams'`): unreliable, never retransmitted.
 *
 * Liveness: the server PINGs every session each `heartbeatMs` and sets the
 * QUIC idle timeout to twice that, so a client that vanished without a
 * CONNECTION_CLOSE (a crash, a dead network) is gone — and its
 * subscriptions freed — within 2 × heartbeatMs; a live client's ACKs keep
 * its connection up however quiet its topics are.
 *
 * Closing: a session is freed the moment either side decides to close it,
 * not when the package reports the connection gone — that is only after
 * quiche's closing or draining period (3 × PTO, seconds under load). A
 * client announces its close first (`closing`, see clients/quic/client.ts),
 * since a peer's CONNECTION_CLOSE is not reported before the draining ends.
 */
export async function startQuic(
  core: FeedCore,
  options: RealtimeStartOptions,
): Promise<RealtimeServerHandle> {
  const limits = resolveLimits(options);
  if (options.transport !== 'h3') {
    throw new Error(`quic: expected transport h3 (QUIC), got ${options.transport}`);
  }
  if (!options.tls) throw new Error('quic: transport h3 needs options.tls (certificate and key), got none');
  const { createQuicServer } = await loadHttp3();
  const server = createQuicServer({
    key: options.tls.keyPem,
    cert: options.tls.certPem,
    alpn: [QUIC_ALPN],
    maxIdleTimeoutMs: 2 * limits.heartbeatMs,
    // RFC 9221 DATAGRAM frames for subscriptions with datagram delivery; a client that does not
    // enable them too gets every event on its stream (sendDatagram refuses, see lib/push-streams).
    enableDatagrams: true,
  });
  // Errors of single connections must not crash the process; each session reports its own end.
  server.on('error', () => {});
  const sessions = new Map<QuicServerSession, PushServerSession>();
  server.on('session', (quic: QuicServerSession) => {
    const session = new PushServerSession(connectionOf(quic), core, limits);
    sessions.set(quic, session);
    void session.connection.closed.then(() => sessions.delete(quic));
  });
  const address = await server.listen(options.port, options.host).catch((error: unknown) => {
    throw new Error(
      `quic: expected to listen on ${options.host}:${options.port}, got ${(error as Error).message}`,
    );
  });
  const heartbeat = setInterval(() => {
    for (const quic of sessions.keys()) quic.ping();
  }, limits.heartbeatMs);
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    protocol: 'quic',
    transport: options.transport,
    url: `quic://${host}:${address.port}`,
    connections: () => sessions.size,
    // QUIC has no per-client socket to cut, and a silent drop would only show after the idle
    // timeout: each connection is closed with 1006 instead, which the client reads as a lost
    // connection (it reconnects and resumes exactly as after a network failure).
    dropConnections: () => {
      const n = sessions.size;
      for (const session of sessions.values()) session.close(CLOSE.dropped, 'dropped');
      return n;
    },
    close: () => {
      closing ??= (async () => {
        clearInterval(heartbeat);
        // The package's own `close` (not `connection.closed`, settled as soon as we close): it comes
        // once quiche is done with the connection, so the endpoint does not go before the 1001 did.
        const gone = [...sessions.keys()].map((quic) => new Promise((done) => quic.once('close', done)));
        for (const session of [...sessions.values()]) session.close(CLOSE.goingAway, 'server shutting down');
        await within(Promise.all(gone), CLOSE_GRACE_MS);
        await server.close();
      })();
      return closing;
    },
  };
}

/** Every protocol's `index.ts` exports `start`; this is raw QUIC's. */
export const start: StartServer = startQuic;

/** A QUIC server session as the push protocol's server connection. */
function connectionOf(quic: QuicServerSession): PushServerConnection {
  const streams = new AsyncQueue<PushStream>();
  // Adapted (and paused) in the same tick the stream appears: see pushStreamOfQuic.
  quic.on('stream', (stream) => streams.push(pushStreamOfQuic(stream)));
  quic.on('error', () => {});
  let closeLocally: (info: CloseInfo) => void = () => {};
  const closed = new Promise<CloseInfo>((resolve) => {
    closeLocally = resolve;
    quic.once('close', (info) => {
      streams.end();
      resolve({ code: info?.errorCode ?? 0, reason: info?.reason ?? '' });
    });
  });
  let closedLocally = false;
  return {
    streams,
    closed,
    datagrams: {
      // false when quiche will not take it: over the path's current limit, or not negotiated.
      send: (bytes) => {
        try {
          return quic.sendDatagram(bytes);
        } catch {
          return false;
        }
      },
      // quiche bounds its own datagram queue (it drops, never grows): nothing waits in user space.
      buffered: () => 0,
    },
    release: (code, reason) => {
      if (closedLocally) return;
      closedLocally = true;
      closeLocally({ code, reason });
      const linger = setTimeout(() => {
        try {
          quic.close(code, reason);
        } catch {
          // Already closed.
        }
      }, RELEASE_LINGER_MS);
      linger.unref();
      quic.once('close', () => clearTimeout(linger));
    },
    close: (code, reason) => {
      if (closedLocally) return;
      closedLocally = true;
      // Closed for the application now: quiche only repeats the CONNECTION_CLOSE while it waits
      // out the closing period (3 × PTO), after which the package's `close` would come — seconds late.
      closeLocally({ code, reason });
      try {
        quic.close(code, reason);
      } catch {
        // Already closed.
      }
    },
  };
}
