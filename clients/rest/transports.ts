import type { TransportId } from '../../protocols/types.js';
import type { ClientOptions } from '../types.js';
import type { Exchanger } from './exchange.js';
import { Http1Exchanger } from './http1-exchange.js';
import { Http2Exchanger } from './http2-exchange.js';
import { Http3Exchanger } from './http3-exchange.js';

/**
 * One line per transport, so the REST client never branches on one.
 * `connections` (default 1) is the number of sockets (HTTP/1.1 pool) or
 * of sessions/QUIC connections (HTTP/2, HTTP/3) the client opens; with
 * more than one, calls go round robin over the multiplexed sessions.
 */
export const EXCHANGERS: Readonly<Record<TransportId, (url: URL, options: ClientOptions) => Exchanger>> = {
  h1: (url, o) => new Http1Exchanger(url, connections(o), undefined),
  h1s: (url, o) => new Http1Exchanger(url, connections(o), { caPem: o.caPem, session: o.tlsSession }),
  h2c: (url, o) => new Http2Exchanger(url.origin, connections(o), undefined),
  h2: (url, o) => new Http2Exchanger(url.origin, connections(o), o.caPem, o.tlsSession),
  h3: (url, o) => new Http3Exchanger(url.origin, connections(o), o.caPem, o.tlsSession),
};

function connections(options: ClientOptions): number {
  const count = options.connections ?? 1;
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`rest client: expected connections to be a positive integer, got ${count}`);
  }
  return count;
}
