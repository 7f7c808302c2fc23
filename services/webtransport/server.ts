import {
  CLOSE,
  type CloseInfo,
  type PushServerConnection,
  PushServerSession,
  type PushStream,
  within,
} from '../../lib/push-streams/index.js';
import {
  type BidiStreamLike,
  type DatagramDuplexLike,
  loadWebTransport,
  pushStreamOf,
  QUICHE_MODULE,
  quicheStatus,
  readDatagrams,
  serverDatagramsOf,
  WT_FLOW_CONTROL,
  WT_PATH,
} from '../../lib/webtransport/index.js';
import type { FeedCore } from '../core/index.js';
import { type RealtimeServerHandle, type RealtimeStartOptions, resolveLimits } from '../realtime/types.js';
import type { StartServer } from '../types.js';
import { watchConnections } from './connections.js';

/**
 * Transports WebTransport runs on here: HTTP/2 over TLS (extended CONNECT,
 * capsules). No h2c: the package's HTTP/2 server is
 * `http2.createSecureServer` only, and WebTransport requires TLS anyway.
 * HTTP/3: see `WEBTRANSPORT_H3_REASON`.
 */
export const WEBTRANSPORT_TRANSPORTS = ['h2'] as const;

/**
 * Why WebTransport over HTTP/3 is not offered, computed when this module
 * loads: the package's HTTP/3 transport is an optional module that does not
 * install here; where it does load, the adapter is still HTTP/2-only, since
 * its HTTP/3 path could not be verified on this machine.
 */
export const WEBTRANSPORT_H3_REASON: string = quicheStatus.available
  ? `${QUICHE_MODULE} loads, but the wirebench WebTransport adapter runs over HTTP/2 only (its HTTP/3 path is unverified)`
  : (quicheStatus.reason ?? `${QUICHE_MODULE} is not available`);

/** How long `close()` waits for clients to answer the 1001 close before cutting the sockets. */
const CLOSE_GRACE_MS = 1000;

/** What the package's server session offers (fails-components' HttpWTSession), reduced to what is used. */
interface WtSession {
  readonly ready: Promise<void>;
  readonly closed: Promise<{ closeCode?: number; reason?: string }>;
  readonly incomingBidirectionalStreams: {
    getReader(): { read(): Promise<{ done: boolean; value?: BidiStreamLike }> };
  };
  readonly datagrams: DatagramDuplexLike;
  close(info: { closeCode: number; reason: string }): void;
}

/**
 * WebTransport (@fails-components/webtransport) on `/wt`: one session per
 * client, the push protocol of lib/push-streams (each subscription on its
 * own bidirectional stream, length-prefixed protobuf frames; or, asked for
 * in the subscribe frame, as WebTransport datagrams — see
 * lib/webtransport/datagrams.ts for what datagrams are over HTTP/2). The
 * session close code says why a session ended (lib/push-streams/codes.ts).
 */
export async function startWebTransport(
  core: FeedCore,
  options: RealtimeStartOptions,
): Promise<RealtimeServerHandle> {
  const limits = resolveLimits(options);
  if (options.transport !== 'h2') {
    const why = options.transport === 'h3' ? ` (${WEBTRANSPORT_H3_REASON})` : '';
    throw new Error(
      `webtransport: expected transport ${WEBTRANSPORT_TRANSPORTS.join(', ')}, got ${options.transport}${why}`,
    );
  }
  if (!options.tls)
    throw new Error(
      `webtransport: transport ${options.transport} needs options.tls (certificate and key), got none`,
    );
  const { Http2Server } = await loadWebTransport();
  const server = new Http2Server({
    host: options.host,
    port: options.port,
    cert: options.tls.certPem,
    privKey: options.tls.keyPem,
    // Required by the package's constructor; only its HTTP/3 transport uses it (QUIC tokens).
    secret: crypto.randomUUID(),
    ...WT_FLOW_CONTROL,
  } as ConstructorParameters<typeof Http2Server>[0]);
  server.startServer();
  await server.ready;
  const sockets = watchConnections(server, limits.heartbeatMs);
  const sessions = new Set<PushServerSession>();
  void acceptSessions(server.sessionStream(WT_PATH) as unknown as SessionSource, (wt) => {
    const session = new PushServerSession(connectionOf(wt), core, limits);
    sessions.add(session);
    void session.connection.closed.then(() => sessions.delete(session));
  });
  const port = server.address()?.port ?? options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    protocol: 'webtransport',
    transport: options.transport,
    url: `https://${host}:${port}`,
    connections: () => sessions.size,
    dropConnections: () => sockets.destroyAll(),
    close: () => {
      closing ??= (async () => {
        const gone = [...sessions].map((s) => s.connection.closed);
        for (const session of sessions) session.close(CLOSE.goingAway, 'server shutting down');
        await within(Promise.all(gone), CLOSE_GRACE_MS);
        server.stopServer();
        sockets.stop();
        sockets.destroyAll();
        await within(server.closed, CLOSE_GRACE_MS);
      })();
      return closing;
    },
  };
}

/** Every protocol's `index.ts` exports `start`; this is WebTransport's. */
export const start: StartServer = startWebTransport;

interface SessionSource {
  getReader(): { read(): Promise<{ done: boolean; value?: WtSession }> };
}

async function acceptSessions(source: SessionSource, onSession: (session: WtSession) => void): Promise<void> {
  const reader = source.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done || !value) return;
    onSession(value);
  }
}

/** A package session as the push protocol's server connection. */
function connectionOf(wt: WtSession): PushServerConnection {
  const closed: Promise<CloseInfo> = wt.closed.then(
    (info) => ({ code: info?.closeCode ?? 0, reason: info?.reason ?? '' }),
    () => ({ code: CLOSE.dropped, reason: 'session lost' }),
  );
  // The protocol has no client-to-server datagrams: read and discard, so none pile up.
  readDatagrams(wt.datagrams, () => {});
  return {
    datagrams: serverDatagramsOf(wt),
    streams: {
      async *[Symbol.asyncIterator](): AsyncGenerator<PushStream> {
        await wt.ready;
        const reader = wt.incomingBidirectionalStreams.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done || !value) return;
          yield pushStreamOf(value);
        }
      },
    },
    closed,
    close: (code, reason) => {
      try {
        wt.close({ closeCode: code, reason });
      } catch {
        // Already closed.
      }
    },
  };
}
