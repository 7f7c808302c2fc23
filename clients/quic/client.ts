import { isIP } from 'node:net';
import type { QuicClientSession } from '@currentspace/http3';
import { defaultServername } from '../../lib/http3/connection.js';
import { loadHttp3 } from '../../lib/http3/load.js';
import {
  type CloseInfo,
  encodeStreamFrame,
  type PushClientConnection,
  StreamPushClient,
  within,
} from '../../lib/push-streams/index.js';
import { pushStreamOfQuic, QUIC_ALPN } from '../../lib/quic/index.js';
import { ClientError } from '../errors.js';
import type { CreateRealtimeClient, RealtimeClientOptions } from '../realtime/types.js';

/** How long `close()` waits for the CONNECTION_CLOSE to be acknowledged locally. */
const CLOSE_GRACE_MS = 1000;

/**
 * Opens one raw QUIC connection (ALPN `wirebench-push`) to the service's
 * `quic://host:port`, verifying the server against the run's CA only; the
 * name checked is `defaultServername` (the package matches DNS names only,
 * see lib/http3/connection.ts). Resolves once the handshake is complete.
 */
export async function dialQuic(options: RealtimeClientOptions): Promise<PushClientConnection> {
  const { connectQuicAsync } = await loadHttp3();
  const target = new URL(options.url);
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(target.port);
  const servername = defaultServername(host);
  let session: Awaited<ReturnType<typeof connectQuicAsync>>;
  try {
    session = await connectQuicAsync(
      isIP(host) ? { address: host, port, servername } : { host, port, servername },
      {
        ...(options.caPem ? { ca: options.caPem } : {}),
        rejectUnauthorized: true,
        alpn: [QUIC_ALPN],
        maxIdleTimeoutMs: 65_000,
        connectTimeoutMs: 10_000,
        // Only the datagram variant negotiates RFC 9221 DATAGRAM frames: the stream variant's handshake is unchanged.
        ...(options.delivery === 'datagrams' ? { enableDatagrams: true } : {}),
      },
    );
  } catch (error) {
    throw new ClientError(
      'UNAVAILABLE',
      `quic: expected a handshake with ${target.host}, got ${(error as Error).message}`,
    );
  }
  session.on('error', () => {});
  // quiche's counters vanish with the native session: keep the last reading.
  let last = { bytesSent: 0, bytesReceived: 0 };
  const wireCounters = () => {
    const metrics = session.getMetrics();
    if (metrics) last = { bytesSent: metrics.bytesOut, bytesReceived: metrics.bytesIn };
    return last;
  };
  let open = true;
  const closed = new Promise<CloseInfo>((resolve) => {
    session.once('close', (info) => {
      wireCounters();
      open = false;
      resolve({ code: info?.errorCode ?? 0, reason: info?.reason ?? '' });
    });
  });
  return {
    get open() {
      return open && !session.closed;
    },
    closed,
    wireCounters,
    ...(options.delivery === 'datagrams'
      ? { onDatagram: (listener: (bytes: Uint8Array) => void) => void session.on('datagram', listener) }
      : {}),
    openStream: async () => {
      if (!open) throw new ClientError('UNAVAILABLE', 'quic: the connection is closed');
      return pushStreamOfQuic(session.openStream());
    },
    close: async (code, reason) => {
      if (open) {
        open = false;
        wireCounters();
        await announceClose(session);
        await session.close(code, reason).catch(() => {});
      }
      await within(closed, CLOSE_GRACE_MS);
    },
  };
}

/**
 * Tells the server this client is closing (frames.ts `closing`, on a stream
 * of its own) and waits — at most CLOSE_GRACE_MS — for the server to end
 * that stream, i.e. to have freed the session, before the CONNECTION_CLOSE.
 * Why not the CONNECTION_CLOSE alone: @currentspace/http3 0.9 emits the
 * server session's `close` only when quiche has left the draining state,
 * 3 × PTO after the peer's CONNECTION_CLOSE arrived (RFC 9000 §10.2.2), and
 * exposes no event for the arrival itself. With the RTT a loaded 2-core
 * machine measures (qlog: smoothed_rtt 350–510 ms, rttvar 120–310 ms) that
 * is 2.5–5.4 s — the server held every closed client that long.
 */
async function announceClose(session: QuicClientSession): Promise<void> {
  try {
    const stream = pushStreamOfQuic(session.openStream());
    stream.send(encodeStreamFrame({ type: 'closing' }));
    stream.end();
    await within(drain(stream.chunks), CLOSE_GRACE_MS);
  } catch {
    // The session is already gone: there is nothing left to free on the server.
  }
}

async function drain(chunks: AsyncIterable<Uint8Array>): Promise<void> {
  try {
    for await (const _ of chunks);
  } catch {
    // A reset or a lost session ends the wait as well as a FIN.
  }
}

/**
 * The raw QUIC realtime client: one QUIC connection per client; each
 * subscription on its own bidirectional stream, resumed after its last seq
 * on a new connection with seeded backoff; publish and chat echo on streams
 * of the same connection (lib/push-streams/client.ts). With
 * `delivery: 'datagrams'` the connection negotiates QUIC DATAGRAM frames and
 * each subscription's events arrive as datagrams.
 */
export const createRealtimeClient: CreateRealtimeClient = (options) =>
  new StreamPushClient('quic', options, () => dialQuic(options));
