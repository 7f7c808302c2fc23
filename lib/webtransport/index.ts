/**
 * WebTransport helpers shared by services/webtransport and
 * clients/webtransport: the package loader (and whether its HTTP/3 transport
 * is present), flow-control windows, the stream and datagram adapters,
 * certificate pinning.
 */
export { type DatagramDuplexLike, readDatagrams, serverDatagramsOf } from './datagrams.js';
export { WT_FLOW_CONTROL, WT_PATH } from './flow-control.js';
export { loadWebTransport, QUICHE_MODULE, type QuicheStatus, quicheStatus } from './load.js';
export { pinnedCertificateHash } from './pin.js';
export { type BidiStreamLike, pushStreamOf } from './stream.js';
