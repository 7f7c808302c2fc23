/**
 * What the Connect and gRPC-Web clients share: one {@link RpcClient} on
 * connect-es, parameterised by the protocol's transport factory and encodings.
 */
export { RpcClient, type RpcClientProtocol } from './client.js';
export { toClientError } from './errors.js';
export { FirstByteProbe, firstByteContext } from './first-byte.js';
export { type HttpLink, openHttpLink } from './http-link.js';
