import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { TransportId } from '../../protocols/types.js';
import type { FeedCore } from '../core/index.js';
import { startHttpHost } from '../realtime/http-host.js';
import { type RealtimeServerHandle, type RealtimeStartOptions, resolveLimits } from '../realtime/types.js';
import { EventStreams } from './event-streams.js';
import { nodeListener } from './node-bridge.js';
import { attachGraphqlWs, GRAPHQL_WS_TRANSPORTS } from './ws-carrier.js';
import { createGraphqlYoga } from './yoga.js';

/** Transports the GraphQL push server rides on (h3 needs the QUIC host, which tracks no sockets yet). */
export const GRAPHQL_REALTIME_TRANSPORTS = ['h1', 'h1s', 'h2c', 'h2'] as const;

/**
 * The GraphQL server (the same yoga instance and SDL as `startGraphql`) on
 * the realtime services' HTTP host, which tracks every socket and HTTP/2
 * session — what a push service must report. Subscriptions (`topic`, `feed`)
 * have two carriers: server-sent events, yoga's "distinct connections" mode
 * of the GraphQL over SSE protocol (one POST with `accept:
 * text/event-stream` per subscription), and — on h1 and h1s — WebSocket
 * (graphql-ws, the graphql-transport-ws subprotocol, on the same path).
 * `connections()` counts open event streams plus open WebSockets (as the SSE
 * and WebSocket services count theirs); `dropConnections()` cuts every socket.
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
  const eventStreams = new EventStreams();
  const host = await startHttpHost('graphql', GRAPHQL_REALTIME_TRANSPORTS, options, (req, res) => {
    eventStreams.track(req, res);
    listener(req, res);
  });
  origin = host.url;
  // h1 and h1s are served by node:http / node:https, the servers that emit 'upgrade'.
  const carrier = (GRAPHQL_WS_TRANSPORTS as readonly TransportId[]).includes(options.transport)
    ? attachGraphqlWs(host.server as HttpServer | HttpsServer, yoga, limits, () => origin)
    : undefined;
  let closing: Promise<void> | undefined;
  return {
    protocol: 'graphql',
    transport: options.transport,
    url: host.url,
    connections: () => eventStreams.size + (carrier?.connections() ?? 0),
    dropConnections: host.dropConnections,
    close: () => {
      // WebSockets get their 1001 first; the other sockets go with the host, every subscription's signal
      // then aborts and frees its topic.
      closing ??= (async () => {
        await carrier?.close();
        await host.close();
      })();
      return closing;
    },
  };
}
