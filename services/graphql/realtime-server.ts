import type { FeedCore } from '../core/index.js';
import { startHttpHost } from '../realtime/http-host.js';
import { type RealtimeServerHandle, type RealtimeStartOptions, resolveLimits } from '../realtime/types.js';
import { nodeListener } from './node-bridge.js';
import { createGraphqlYoga } from './yoga.js';

/** Transports the GraphQL push server rides on (h3 needs the QUIC host, which tracks no sockets yet). */
export const GRAPHQL_REALTIME_TRANSPORTS = ['h1', 'h1s', 'h2c', 'h2'] as const;

/**
 * The GraphQL server (the same yoga instance and SDL as `startGraphql`) on
 * the realtime services' HTTP host, which tracks every socket and HTTP/2
 * session — what a push service must report. Subscriptions (`topic`, `feed`)
 * travel as server-sent events, yoga's "distinct connections" mode of the
 * GraphQL over SSE protocol: one POST with `accept: text/event-stream` per
 * subscription. `connections()` counts those open event streams (as open
 * SSE streams are counted for SSE); `dropConnections()` cuts every socket.
 */
export async function startGraphqlRealtime(
  core: FeedCore,
  options: RealtimeStartOptions,
): Promise<RealtimeServerHandle> {
  const limits = resolveLimits(options);
  const yoga = createGraphqlYoga(core, { maxBodyBytes: limits.maxPayloadBytes });
  let origin = '';
  const listener = nodeListener(
    (request) => yoga.fetch(request),
    () => origin,
    limits.maxPayloadBytes,
  );
  const open = new Set<object>();
  const host = await startHttpHost('graphql', GRAPHQL_REALTIME_TRANSPORTS, options, (req, res) => {
    if (String(req.headers.accept ?? '').includes('text/event-stream')) {
      open.add(res);
      res.once('close', () => open.delete(res));
    }
    listener(req, res);
  });
  origin = host.url;
  let closing: Promise<void> | undefined;
  return {
    protocol: 'graphql',
    transport: options.transport,
    url: host.url,
    connections: () => open.size,
    dropConnections: host.dropConnections,
    close: () => {
      // The sockets go with the host; every subscription's signal then aborts and frees its topic.
      closing ??= host.close();
      return closing;
    },
  };
}
