import type { ConnectRouterOptions } from '@connectrpc/connect';

/**
 * What distinguishes the Connect, gRPC-Web and (on h3) gRPC servers: only
 * which of connect-es' three wire protocols the router answers. A request in
 * a disabled protocol gets 415 Unsupported Media Type from connect-es, so a
 * server labelled `grpc-web` can never silently serve Connect (or gRPC).
 */
export interface RpcServerProtocol {
  readonly id: 'connect' | 'grpc-web' | 'grpc';
  readonly enable: Required<Pick<ConnectRouterOptions, 'connect' | 'grpc' | 'grpcWeb'>>;
}

/** The Connect protocol only (unary as plain POST, streams enveloped). */
export const CONNECT_SERVER: RpcServerProtocol = {
  id: 'connect',
  enable: { connect: true, grpc: false, grpcWeb: false },
};

/** gRPC-Web only (enveloped messages, status in a trailer frame inside the body). */
export const GRPC_WEB_SERVER: RpcServerProtocol = {
  id: 'grpc-web',
  enable: { connect: false, grpc: false, grpcWeb: true },
};

/**
 * The gRPC protocol only (status in HTTP trailers). Used for gRPC over h3,
 * which grpc-js cannot serve (it has no HTTP/3); h2 and h2c stay on grpc-js.
 */
export const GRPC_SERVER: RpcServerProtocol = {
  id: 'grpc',
  enable: { connect: false, grpc: true, grpcWeb: false },
};

/**
 * The path clients probe in `connect()` to open their connections: `OPTIONS`
 * on it is a bare 204 answered without touching the core (any other
 * non-RPC request is a 404, which Connect clients read as `unimplemented`).
 */
export const PRECONNECT_PATH = '/';
