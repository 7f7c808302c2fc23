import { createTransport } from '@connectrpc/connect/protocol-grpc-web';
import { RpcClient, type RpcClientProtocol } from '../connect-common/index.js';
import type { CreateClient } from '../types.js';

/**
 * gRPC-Web: binary protobuf by default (what gRPC-Web proxies expect); JSON
 * also works against connect-es servers (`application/grpc-web+json`).
 */
const GRPC_WEB: RpcClientProtocol = { id: 'grpc-web', encodings: ['proto', 'json'], createTransport };

/**
 * gRPC-Web client (connect-es): h1/h1s on a keep-alive pool of `connections`
 * sockets, h2/h2c on one HTTP/2 session, h3 on one QUIC connection; bidi
 * streaming on HTTP/2 and HTTP/3 only.
 */
export const createClient: CreateClient = (options) => new RpcClient(GRPC_WEB, options);
