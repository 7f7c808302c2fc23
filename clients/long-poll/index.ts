/**
 * Long-polling client (h1, h1s, h2c, h2, h3): `createRealtimeClient` implements
 * RealtimeClient by looping `GET /poll/{topic}?after=<last seq>`.
 */
export { createRealtimeClient } from './client.js';
