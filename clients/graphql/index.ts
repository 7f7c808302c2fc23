/**
 * GraphQL client (JSON over HTTP/1.1, HTTP/2 or HTTP/3, subscriptions over SSE):
 * `createClient` implements the shared ProtocolClient with the documents the
 * server registers as persisted queries.
 */
export {
  createClient,
  type GraphqlClientConfig,
  type GraphqlClientOptions,
  type GraphqlProtocolClient,
} from './client.js';
export { UNARY_OPERATIONS } from './operations.js';
