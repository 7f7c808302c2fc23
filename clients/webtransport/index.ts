/**
 * WebTransport client (@fails-components/webtransport, HTTP/2):
 * `createRealtimeClient` implements RealtimeClient, echo included.
 */
export { createRealtimeClient, dialWebTransport } from './client.js';
