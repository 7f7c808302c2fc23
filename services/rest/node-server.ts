import { type NodeServed, serveNodeListener } from '../../lib/node-http.js';
import type { TransportId } from '../../protocols/types.js';
import type { StartOptions, TlsMaterial } from '../types.js';
import type { FetchHandler } from './handler.js';
import { nodeListener } from './node-bridge.js';

/** A fetch handler being served on one transport: what every entry of the transport table returns. */
export type Served = NodeServed;

/**
 * Serves the REST fetch handler on node's http/https/http2 (lib/node-http:
 * transports, connection counts, draining close) through the node bridge.
 */
export function serveNode(handler: FetchHandler, options: StartOptions): Promise<Served> {
  return serveNodeListener('rest', (origin) => nodeListener(handler, origin), options);
}

/** The certificate and key a TLS transport needs, or a start-up error naming what is missing. */
export function tlsOptions(
  transport: TransportId,
  tls: TlsMaterial | undefined,
): { cert: string; key: string } {
  if (!tls) throw new Error(`rest: transport ${transport} needs options.tls (certificate and key), got none`);
  return { cert: tls.certPem, key: tls.keyPem };
}
