/**
 * REST/JSON client (node:http keep-alive pool, protobuf JSON, NDJSON streams):
 * `createClient` implements the shared ProtocolClient from schemas/rest-binding.ts.
 */
export { createClient } from './client.js';
