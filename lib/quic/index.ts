/** Raw QUIC helpers shared by services/quic and clients/quic: the ALPN and the stream adapter. */
export { pushStreamOfQuic, QUIC_ALPN } from './stream.js';
