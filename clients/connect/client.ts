import { createTransport } from '@connectrpc/connect/protocol-connect';
import { RpcClient, type RpcClientProtocol } from '../connect-common/index.js';
import type { CreateClient } from '../types.js';

/** The Connect protocol: JSON or binary protobuf, chosen per client by `encoding`. */
const CONNECT: RpcClientProtocol = { id: 'connect', encodings: ['json', 'proto'], createTransport };

/**
 * Connect client (connect-es): h1/h1s on a keep-alive pool of `connections`
 * sockets, h2/h2c on one HTTP/2 session, h3 on one QUIC connection; bidi
 * streaming on HTTP/2 and HTTP/3 only.
 */
export const createClient: CreateClient = (options) => new RpcClient(CONNECT, options);
