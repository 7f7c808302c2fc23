/**
 * Connect client (connect-es, JSON or binary protobuf): `createClient`
 * implements the shared ProtocolClient with the same descriptors the server uses.
 */
export { createClient } from './client.js';
