import { serveFetchOverHttp3 } from '../../lib/http3/index.js';
import type { TransportId } from '../../protocols/types.js';
import type { FeedCore } from '../core/index.js';
import type { ServerHandle, StartOptions, StartServer } from '../types.js';
import { createRestHandler, type FetchHandler } from './handler.js';
import { type Served, serveNode, tlsOptions } from './node-server.js';

type Serve = (handler: FetchHandler, options: StartOptions) => Promise<Served>;

/**
 * One entry per HTTP transport, so adding one is a line here; every entry
 * serves the same fetch handler. TCP transports go through node's stacks;
 * h3 through lib/http3 (QUIC on UDP; its URL is `https://host:port`).
 */
const TRANSPORTS: Readonly<Record<TransportId, Serve>> = {
  h1: serveNode,
  h1s: serveNode,
  h2: serveNode,
  h2c: serveNode,
  h3: async (handler, options) => {
    const { cert, key } = tlsOptions('h3', options.tls);
    return serveFetchOverHttp3(handler, {
      host: options.host,
      port: options.port,
      certPem: cert,
      keyPem: key,
    });
  },
};

/** A REST server handle that also counts what it accepted, so tests and the bench can check connection reuse. */
export interface RestServerHandle extends ServerHandle {
  /** Connections accepted (TCP, or QUIC for h3) and requests received since start. */
  stats(): { readonly connections: number; readonly requests: number };
}

/**
 * Starts the REST adapter: the fetch handler from `createRestHandler`,
 * served on the transport `options.transport` names.
 */
export async function startRest(core: FeedCore, options: StartOptions): Promise<RestServerHandle> {
  const serve = (TRANSPORTS as Partial<Record<string, Serve>>)[options.transport];
  if (!serve) {
    const known = Object.keys(TRANSPORTS).join(', ');
    throw new Error(`rest: expected transport ${known}, got ${options.transport}`);
  }
  const handler = createRestHandler(core, { maxBodyBytes: options.maxBodyBytes });
  const served = await serve(handler, options);
  return {
    protocol: 'rest',
    transport: options.transport,
    url: served.url,
    stats: () => served.stats(),
    close: () => served.close(),
  };
}

/** Every protocol's `index.ts` exports `start`; this is REST's. */
export const start: StartServer = startRest;
