/**
 * REST/JSON client (protobuf JSON bodies, NDJSON streams) over h1, h1s, h2,
 * h2c and h3: `createClient` implements the shared ProtocolClient from
 * schemas/rest-binding.ts; on h3 the client also has `wireCounters()`.
 */
export { createClient, type RestClient } from './client.js';
