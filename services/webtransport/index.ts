/**
 * WebTransport adapter (@fails-components/webtransport): WebTransport over
 * HTTP/2 on `/wt` (and over HTTP/3 when the package's optional quiche
 * transport is installed), speaking the stream push protocol of
 * lib/push-streams.
 */
export { start, startWebTransport, WEBTRANSPORT_H3_REASON, WEBTRANSPORT_TRANSPORTS } from './server.js';
