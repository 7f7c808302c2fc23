/**
 * Socket.IO client (socket.io-client, h1 and h1s; the websocket or the
 * polling transport by `options.socketio.transport`): `createRealtimeClient`
 * implements RealtimeClient, echo included.
 */
export { createRealtimeClient } from './client.js';
export { errorOf, SioConnection, type SioTransport } from './connection.js';
