/**
 * HTTP/3 for every protocol adapter, over @currentspace/http3 (loaded lazily):
 * `serveFetchOverHttp3` serves a fetch handler; `serveUniversalOverHttp3` a
 * connect-es universal handler (with HTTP trailers, for gRPC); `connectHttp3`
 * + `request` (or `http3Request` on a raw session) is a small client with
 * first-byte callback, abort signal, streaming bodies both ways and UDP wire
 * counters, and `createHttp3UniversalClient` puts connect-es clients on it.
 * Session tickets: servers use one ticket key each, clients offer a ticket
 * (`sessionTicket`) and `auditHttp3Resumption` tells whether it resumed.
 */

export {
  connectHttp3,
  defaultServername,
  type Http3Connection,
  type Http3ConnectOptions,
  type WireCounters,
} from './connection.js';
export type { FetchHandler } from './fetch-stream.js';
export {
  auditHttp3Resumption,
  HTTP3_ZERO_RTT_UNSUPPORTED,
  type Http3HandshakeRecord,
  type Http3ResumptionAudit,
  readHandshakeRecord,
  recordHttp3Handshake,
} from './handshake-audit.js';
export { H3_NO_ERROR, H3_REQUEST_CANCELLED, loadHttp3 } from './load.js';
export { http3Unavailable } from './probe.js';
export { ReconnectingHttp3 } from './reconnecting.js';
export {
  type Http3Body,
  type Http3Call,
  type Http3RequestInit,
  type Http3Response,
  http3Request,
} from './request.js';
export { type Http3FetchServer, type Http3ServeOptions, serveFetchOverHttp3 } from './serve-fetch.js';
export {
  type Http3StreamHandler,
  type Http3StreamServer,
  serveHttp3Streams,
} from './serve-streams.js';
export { serveUniversalOverHttp3 } from './serve-universal.js';
export { HTTP3_CONNECT_CHANNEL, type Http3ConnectPhases, watchHttp3Connects } from './setup-channel.js';
export { type Http3Resumption, TicketLedger } from './ticket-ledger.js';
export { createHttp3UniversalClient } from './universal-client.js';
