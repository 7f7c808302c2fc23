import { serveFetchOverHttp3 } from '../../lib/http3/index.js';
import type { TransportId } from '../../protocols/types.js';
import type { FeedCore } from '../core/index.js';
import { DEFAULT_MAX_BODY_BYTES, type ServerHandle, type StartOptions, type StartServer } from '../types.js';
import { limitRequestBody } from './body-limit.js';
import type { FetchHandler } from './node-bridge.js';
import { type Served, SHUTDOWN_GRACE_MS, serveNode, tlsOptions } from './node-server.js';
import { createGraphqlYoga, type GraphqlServerOptions } from './yoga.js';

/** StartOptions plus the GraphQL settings (`graphql.dataloader` sets the default when a request does not say). */
export interface GraphqlStartOptions extends StartOptions {
  readonly graphql?: Omit<GraphqlServerOptions, 'maxBodyBytes'>;
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
 * JSON, GET with `query` or a persisted `id`, and the `feed` subscription as
 * server-sent events.
 */
export async function startGraphql(core: FeedCore, options: GraphqlStartOptions): Promise<ServerHandle> {
  const serve = (TRANSPORTS as Partial<Record<string, Serve>>)[options.transport];
  if (!serve) {
    const known = Object.keys(TRANSPORTS).join(', ');
    throw new Error(`graphql: expected transport ${known}, got ${options.transport}`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const yoga = createGraphqlYoga(core, { ...options.graphql, maxBodyBytes });
  const served = await serve((request) => yoga.fetch(request), options, maxBodyBytes);
  return {
    protocol: 'graphql',
    transport: options.transport,
    url: served.url,
    close: () => served.close(),
  };
}

/** Every protocol's `index.ts` exports `start`; this is GraphQL's. */
export const start: StartServer = startGraphql;
