/**
 * What the Connect and gRPC-Web servers (and gRPC over h3) share: one
 * connect-es router over FeedCore (`feedRoutes`), served on node's
 * transports through lib/node-http or on QUIC (`startRpcServer`), or as a
 * fetch handler; the protocols differ only in the {@link RpcServerProtocol}
 * switches. The push entry's server (`startRpcRealtime`) is the same
 * server with the realtime limits.
 */
export { toConnectError } from './errors.js';
export { createRpcFetchHandler, type FetchHandler } from './fetch-handler.js';
export {
  CONNECT_SERVER,
  GRPC_SERVER,
  GRPC_WEB_SERVER,
  PRECONNECT_PATH,
  type RpcServerProtocol,
} from './protocol.js';
export { RPC_REALTIME_TRANSPORTS, startRpcRealtime } from './realtime-server.js';
export { feedRoutes } from './routes.js';
export { type RpcServerHandle, startRpcServer } from './server.js';
