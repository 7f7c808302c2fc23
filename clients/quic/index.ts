/**
 * Raw QUIC client (@currentspace/http3, ALPN `wirebench-push`):
 * `createRealtimeClient` implements RealtimeClient, echo included.
 */
export { createRealtimeClient, dialQuic } from './client.js';
