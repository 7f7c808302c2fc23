/**
 * GraphQL realtime client (the `topic` subscription over server-sent events,
 * the `publish` mutation; h1, h1s, h2c, h2): `createRealtimeClient`
 * implements RealtimeClient. No echo: GraphQL has no client-to-server stream.
 */
export { createRealtimeClient } from './client.js';
