/**
 * Raw QUIC adapter (@currentspace/http3's QUIC API, ALPN `wirebench-push`,
 * no HTTP): the stream push protocol of lib/push-streams, one QUIC
 * connection per client.
 */
export { QUIC_TRANSPORTS, start, startQuic } from './server.js';
