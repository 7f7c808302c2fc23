import {
  createRpcFetchHandler,
  type FetchHandler,
  GRPC_WEB_SERVER,
  type RpcServerHandle,
  startRpcServer,
} from '../connect-common/index.js';
import type { FeedCore } from '../core/index.js';
import type { StartOptions, StartServer } from '../types.js';

/**
 * Starts FeedService over gRPC-Web only (Connect and gRPC requests get 415):
 * enveloped messages with the status in a final frame of the body, so unlike
 * gRPC it needs no HTTP trailers and runs over HTTP/1.1 too.
 */
export function startGrpcWeb(core: FeedCore, options: StartOptions): Promise<RpcServerHandle> {
  return startRpcServer(core, options, GRPC_WEB_SERVER);
}

/** Every protocol's `index.ts` exports `start`; this is gRPC-Web's. */
export const start: StartServer = startGrpcWeb;

/** The same gRPC-Web service as a fetch-API handler, for tests without a socket. */
export function createGrpcWebFetchHandler(core: FeedCore, options?: { maxBodyBytes?: number }): FetchHandler {
  return createRpcFetchHandler(core, GRPC_WEB_SERVER, options);
}
