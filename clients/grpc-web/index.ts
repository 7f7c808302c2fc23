/**
 * gRPC-Web client (connect-es, binary protobuf): `createClient` implements the
 * shared ProtocolClient with the same descriptors the server uses.
 */
export { createClient } from './client.js';
