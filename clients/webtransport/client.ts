import {
  CLOSE,
  type CloseInfo,
  type PushClientConnection,
  StreamPushClient,
  within,
} from '../../lib/push-streams/index.js';
import {
  type BidiStreamLike,
  type DatagramDuplexLike,
  loadWebTransport,
  pinnedCertificateHash,
  pushStreamOf,
  readDatagrams,
  WT_FLOW_CONTROL,
  WT_PATH,
} from '../../lib/webtransport/index.js';
import { ClientError } from '../errors.js';
import type { CreateRealtimeClient, RealtimeClientOptions } from '../realtime/types.js';

/** How long `close()` waits for the server to acknowledge the session close. */
const CLOSE_GRACE_MS = 1000;

/** What the package's client object offers (its `WebTransport` class), reduced to what is used. */
interface WtClient {
  readonly ready: Promise<void>;
  readonly closed: Promise<{ closeCode?: number; reason?: string }>;
  createBidirectionalStream(): Promise<BidiStreamLike>;
  readonly datagrams: DatagramDuplexLike;
  close(info: { closeCode: number; reason: string }): void;
}

/**
 * Opens one WebTransport session over HTTP/2 (`forceReliable`: the package's
 * HTTP/2 transport, never an attempt at HTTP/3 first), pinned to the
 * certificate the run's CA verified, with the flow-control windows the
 * server uses (see lib/webtransport/flow-control.ts).
 */
export async function dialWebTransport(options: RealtimeClientOptions): Promise<PushClientConnection> {
  const { WebTransport } = await loadWebTransport();
  let hash: Uint8Array;
  try {
    hash = await pinnedCertificateHash(options.url, options.caPem);
  } catch (error) {
    throw new ClientError('UNAVAILABLE', (error as Error).message);
  }
  const wt = new WebTransport(new URL(WT_PATH, options.url).href, {
    serverCertificateHashes: [{ algorithm: 'sha-256', value: hash }],
    forceReliable: true,
    ...WT_FLOW_CONTROL,
  } as ConstructorParameters<typeof WebTransport>[1]) as unknown as WtClient;
  let open = false;
  const closed: Promise<CloseInfo> = wt.closed.then(
    (info) => ({ code: info?.closeCode ?? 0, reason: info?.reason ?? '' }),
    () => ({ code: CLOSE.dropped, reason: 'session lost' }),
  );
  void closed.then(() => {
    open = false;
  });
  try {
    await wt.ready;
  } catch (error) {
    throw new ClientError(
      'UNAVAILABLE',
      `webtransport: expected a session at ${options.url}${WT_PATH}, got ${(error as Error).message}`,
    );
  }
  open = true;
  return {
    get open() {
      return open;
    },
    closed,
    ...(options.delivery === 'datagrams'
      ? { onDatagram: (listener: (bytes: Uint8Array) => void) => readDatagrams(wt.datagrams, listener) }
      : {}),
    openStream: async () => pushStreamOf(await wt.createBidirectionalStream()),
    close: async (code, reason) => {
      if (open) {
        open = false;
        try {
          wt.close({ closeCode: code, reason });
        } catch {
          // Already closing.
        }
      }
      await within(closed, CLOSE_GRACE_MS);
    },
  };
}

/**
 * The WebTransport realtime client: one session per client; each
 * subscription on its own bidirectional stream, resumed after its last seq
 * on a new session with seeded backoff; publish and chat echo on streams of
 * the same session (lib/push-streams/client.ts). With `delivery: 'datagrams'`
 * the events come as WebTransport datagrams (over HTTP/2: capsules on the
 * session's TCP connection, see lib/webtransport/datagrams.ts).
 */
export const createRealtimeClient: CreateRealtimeClient = (options) =>
  new StreamPushClient('webtransport', options, () => dialWebTransport(options));
