/**
 * gRPC client (binary protobuf; grpc-js over HTTP/2, connect-es' gRPC transport
 * over HTTP/3): `createClient` implements
 * the shared ProtocolClient with the same descriptors the server uses.
 */
export { createClient } from './client.js';
export { toClientError } from './errors.js';
