import {
  CONNECT_SERVER,
  createRpcFetchHandler,
  type FetchHandler,
  type RpcServerHandle,
  startRpcServer,
} from '../connect-common/index.js';
import type { FeedCore } from '../core/index.js';
import type { StartOptions, StartServer } from '../types.js';

/**
 * Starts FeedService over the Connect protocol only (gRPC and gRPC-Web
 * requests get 415): JSON or binary protobuf, as each client chooses per request.
 */
export function startConnect(core: FeedCore, options: StartOptions): Promise<RpcServerHandle> {
  return startRpcServer(core, options, CONNECT_SERVER);
}

/** Every protocol's `index.ts` exports `start`; this is Connect's. */
export const start: StartServer = startConnect;

/** The same Connect service as a fetch-API handler, for tests without a socket. */
export function createConnectFetchHandler(core: FeedCore, options?: { maxBodyBytes?: number }): FetchHandler {
  return createRpcFetchHandler(core, CONNECT_SERVER, options);
}
