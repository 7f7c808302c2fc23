/**
 * GraphQL realtime client (the `topic` subscription and the `publish`
 * mutation): `createRealtimeClient` implements RealtimeClient over the
 * carrier `graphqlCarrier` names — server-sent events (h1, h1s, h2c, h2) or
 * WebSocket with graphql-ws (h1, h1s). No echo: GraphQL has no
 * client-to-server stream.
 */
export { createRealtimeClient } from './client.js';
