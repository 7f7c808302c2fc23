/**
 * gRPC client (grpc-js over HTTP/2, binary protobuf): `createClient` implements
 * the shared ProtocolClient with the same descriptors the server uses.
 */
export { createClient } from './client.js';
export { toClientError } from './errors.js';
