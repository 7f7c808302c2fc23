/**
 * GraphQL adapter (graphql-yoga over schemas/graphql/schema.graphql):
 * `start` serves FeedService as a graph API with per-request DataLoader
 * batching; `createGraphqlYoga` is the same server as a fetch handler, for
 * socketless tests. Subscriptions travel as server-sent events and, on h1
 * and h1s, over WebSocket (graphql-ws). The documents and persisted-query
 * ids are shared with the client so both speak exactly the same operations.
 */
export {
  DATALOADER_HEADER,
  DOCUMENTS,
  digestAlias,
  digestDocument,
  fieldsOf,
  GRAPHQL_PATH,
  persistedQueryId,
  selectionOf,
} from './documents.js';
export { DEFAULT_MAX_COST, DEFAULT_MAX_DEPTH } from './limits.js';
export { BENCH_QUERIES, benchPersistedStore, type PersistedStore } from './persisted.js';
export { GRAPHQL_REALTIME_TRANSPORTS, startGraphqlRealtime } from './realtime-server.js';
export { type GraphqlStartOptions, start, startGraphql } from './server.js';
export { GRAPHQL_WS_TRANSPORTS } from './ws-carrier.js';
export { createGraphqlYoga, type GraphqlServerOptions, type GraphqlYoga } from './yoga.js';
