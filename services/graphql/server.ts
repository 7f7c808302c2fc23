import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { serveFetchOverHttp3 } from '../../lib/http3/index.js';
import type { TransportId } from '../../protocols/types.js';
import type { FeedCore } from '../core/index.js';
import { type RealtimeLimits, type RealtimeServerHandle, resolveLimits } from '../realtime/types.js';
import { DEFAULT_MAX_BODY_BYTES, type ServerHandle, type StartOptions, type StartServer } from '../types.js';
import { limitRequestBody } from './body-limit.js';
import type { FetchHandler } from './node-bridge.js';
import { type Served, SHUTDOWN_GRACE_MS, serveNode, tlsOptions } from './node-server.js';
import { attachGraphqlWs, GRAPHQL_WS_TRANSPORTS, type GraphqlWsCarrier } from './ws-carrier.js';
import { createGraphqlYoga, type GraphqlServerOptions, type GraphqlYoga } from './yoga.js';

/** StartOptions plus the GraphQL settings (`graphql.dataloader` sets the default when a request does not say). */
export interface GraphqlStartOptions extends StartOptions {
  readonly graphql?: Omit<GraphqlServerOptions, 'maxBodyBytes'>;
  /** Limits of the WebSocket carrier (message size, operations per connection, idle, heartbeat). */
  readonly limits?: Partial<RealtimeLimits>;
}

type Serve = (handler: FetchHandler, options: StartOptions, maxBodyBytes: number) => Promise<Served>;

/**
 * One entry per HTTP transport; every entry serves the same yoga instance.
 * TCP transports go through node's stacks and the node bridge; h3 through
 * lib/http3 (QUIC on UDP; its URL is `https://host:port`), with the body
 * cap as a fetch-level wrapper so an oversize body gets the same 413.
 */
const TRANSPORTS: Readonly<Record<TransportId, Serve>> = {
  h1: serveNode,
  h1s: serveNode,
  h2: serveNode,
  h2c: serveNode,
  h3: (handler, options, maxBodyBytes) => {
    const { cert, key } = tlsOptions('h3', options.tls);
    return serveFetchOverHttp3(limitRequestBody(handler, maxBodyBytes), {
      host: options.host,
      port: options.port,
      certPem: cert,
      keyPem: key,
      shutdownGraceMs: SHUTDOWN_GRACE_MS,
    });
  },
};

/**
 * Starts the GraphQL adapter (graphql-yoga over the SDL file) on the
 * transport `options.transport` names. The API is at `${url}/graphql`: POST
 * JSON, GET with `query` or a persisted `id`, subscriptions as server-sent
 * events and — on h1 and h1s — over WebSocket (graphql-transport-ws, the
 * same path upgraded). On the TCP transports the handle also counts and
 * cuts its subscribers' connections (open event streams and WebSockets), so
 * the bench's connections and reconnect-storm cells run against it.
 */
export async function startGraphql(
  core: FeedCore,
  options: GraphqlStartOptions,
): Promise<ServerHandle | RealtimeServerHandle> {
  const serve = (TRANSPORTS as Partial<Record<string, Serve>>)[options.transport];
  if (!serve) {
    const known = Object.keys(TRANSPORTS).join(', ');
    throw new Error(`graphql: expected transport ${known}, got ${options.transport}`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const yoga = createGraphqlYoga(core, { ...options.graphql, maxBodyBytes });
  const served = await serve((request) => yoga.fetch(request), options, maxBodyBytes);
  const carrier = webSocketCarrier(served, yoga, options);
  const { eventStreams, dropConnections } = served;
  const base = { protocol: 'graphql' as const, transport: options.transport, url: served.url };
  const close = async (): Promise<void> => {
    await carrier?.close();
    await served.close();
  };
  if (!eventStreams || !dropConnections) return { ...base, close };
  return {
    ...base,
    connections: () => eventStreams.size + (carrier?.connections() ?? 0),
    // Every TCP connection, WebSockets and publishers' keep-alive sockets too, as a network failure would.
    dropConnections,
    close,
  };
}

/** graphql-ws on the served node server's upgrades, where the transport has an HTTP/1.1 Upgrade. */
function webSocketCarrier(
  served: Served,
  yoga: GraphqlYoga,
  options: GraphqlStartOptions,
): GraphqlWsCarrier | undefined {
  const upgrades = (GRAPHQL_WS_TRANSPORTS as readonly TransportId[]).includes(options.transport);
  if (!upgrades || !served.server) return undefined;
  // h1 and h1s are served by node:http / node:https, the servers that emit 'upgrade'.
  const server = served.server as HttpServer | HttpsServer;
  return attachGraphqlWs(server, yoga, resolveLimits(options), () => served.url);
}

/** Every protocol's `index.ts` exports `start`; this is GraphQL's. */
export const start: StartServer = startGraphql;
