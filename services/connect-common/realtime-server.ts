import { setMaxListeners } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Code, ConnectError } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { FeedService, TopicService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { FeedCore } from '../core/index.js';
import { startHttpHost } from '../realtime/http-host.js';
import { type RealtimeServerHandle, type RealtimeStartOptions, resolveLimits } from '../realtime/types.js';
import type { RpcServerProtocol } from './protocol.js';
import { feedRoutes } from './routes.js';

/** Transports the connect-es push servers ride on (h3 needs the QUIC host, which tracks no sockets yet). */
export const RPC_REALTIME_TRANSPORTS = ['h1', 'h1s', 'h2c', 'h2'] as const;

/** What streams still open at shutdown end with; the clients' resume loop reads it as a cut. */
const SHUTTING_DOWN = new ConnectError('server shutting down', Code.Unavailable);

/** The request paths of the long-lived calls a push server counts as its logical connections. */
const PUSH_PATHS: ReadonlySet<string> = new Set(
  [TopicService.method.subscribe, FeedService.method.chat].map((m) => `/${m.parent.typeName}/${m.name}`),
);

/**
 * FeedService and TopicService on connect-es' node adapter, for one wire
 * protocol, on the realtime services' HTTP host (services/realtime), which
 * tracks every socket and HTTP/2 session: the same routes as
 * `startRpcServer`, plus what a push service must report. `connections()`
 * counts open Subscribe and Chat calls (the logical connections, as open
 * SSE streams are for SSE); `dropConnections()` cuts every socket.
 */
export async function startRpcRealtime(
  core: FeedCore,
  options: RealtimeStartOptions,
  protocol: RpcServerProtocol,
): Promise<RealtimeServerHandle> {
  const limits = resolveLimits(options);
  const shutdown = new AbortController();
  // connect-es listens on the shutdown signal once per call in flight: thousands of subscriptions
  // are thousands of listeners by design, not a leak.
  setMaxListeners(0, shutdown.signal);
  const handler = connectNodeAdapter({
    routes: feedRoutes(core),
    ...protocol.enable,
    readMaxBytes: limits.maxPayloadBytes,
    shutdownSignal: shutdown.signal,
  });
  const open = new Set<object>();
  const host = await startHttpHost(protocol.id, RPC_REALTIME_TRANSPORTS, options, (req, res) => {
    if (PUSH_PATHS.has(new URL(req.url ?? '/', 'http://x').pathname)) {
      open.add(res);
      res.once('close', () => open.delete(res));
    }
    handler(req, res);
  });
  let closing: Promise<void> | undefined;
  return {
    protocol: protocol.id,
    transport: options.transport,
    url: host.url,
    connections: () => open.size,
    dropConnections: host.dropConnections,
    close: () => {
      closing ??= (async () => {
        // Open streams end with `unavailable` first; a turn later the sockets go.
        shutdown.abort(SHUTTING_DOWN);
        await nextTurn();
        await host.close();
      })();
      return closing;
    },
  };
}
