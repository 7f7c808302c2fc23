import { createConnectRouter } from '@connectrpc/connect';
import { createFetchHandler } from '@connectrpc/connect/protocol';
import type { FeedCore } from '../core/index.js';
import { DEFAULT_MAX_BODY_BYTES } from '../types.js';
import type { RpcServerProtocol } from './protocol.js';
import { feedRoutes } from './routes.js';

/** A fetch-API handler: Request in, Response out. */
export type FetchHandler = (req: Request) => Promise<Response>;

/**
 * FeedService as a fetch-API handler, with the same routes and protocol
 * switches as the node server. Unit tests call it without a socket, and any
 * server that speaks fetch can mount it (the h3 server does not: it serves
 * the universal handlers directly, because gRPC needs HTTP trailers — see
 * h3-server.ts).
 * `httpVersion` tells connect-es which HTTP version carries the request, so
 * it can refuse bidi streaming on HTTP/1.1 as the node server does.
 */
export function createRpcFetchHandler(
  core: FeedCore,
  protocol: RpcServerProtocol,
  options: { readonly maxBodyBytes?: number; readonly httpVersion?: string } = {},
): FetchHandler {
  const router = createConnectRouter({
    ...protocol.enable,
    readMaxBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  });
  feedRoutes(core)(router);
  const handlers = new Map(
    router.handlers.map((h) => [
      h.requestPath,
      createFetchHandler(h, { httpVersion: options.httpVersion ?? '2.0' }),
    ]),
  );
  return async (req) => {
    const handler = handlers.get(new URL(req.url).pathname);
    return handler ? handler(req) : new Response(null, { status: 404 });
  };
}
