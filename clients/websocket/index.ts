/**
 * WebSocket client (`ws`, h1 and h1s; JSON or binary protobuf frames):
 * `createRealtimeClient` implements RealtimeClient, echo included.
 */
export { createRealtimeClient } from './client.js';
export { errorOf, WsConnection } from './connection.js';
