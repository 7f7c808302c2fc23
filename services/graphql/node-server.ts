import { type NodeServer, SHUTDOWN_GRACE_MS, serveNodeListener } from '../../lib/node-http.js';
import type { TransportId } from '../../protocols/types.js';
import type { StartOptions, TlsMaterial } from '../types.js';
import { EventStreams } from './event-streams.js';
import { type FetchHandler, nodeListener } from './node-bridge.js';

export { SHUTDOWN_GRACE_MS };

/**
 * A fetch handler being served on one transport: what every entry of
 * server.ts's transport table returns. The node transports also hand out
 * their server (for WebSocket upgrades), their open event streams and a cut
 * of every connection.
 */
export interface Served {
  readonly url: string;
  readonly server?: NodeServer;
  readonly eventStreams?: EventStreams;
  /** Cuts every TCP connection (HTTP/2 sessions, WebSockets included); returns how many. */
  dropConnections?(): number;
  close(): Promise<void>;
}

/**
 * Serves a fetch handler (the yoga instance) on node:http/https/http2
 * (lib/node-http: transports, draining close) through the node bridge,
 * which buffers request bodies up to `maxBodyBytes + 1` bytes (the rest is
 * drained so the connection stays usable) — the handler's own limit then
 * answers 413.
 */
export async function serveNode(
  handler: FetchHandler,
  options: StartOptions,
  maxBodyBytes: number,
): Promise<Served> {
  const eventStreams = new EventStreams();
  const served = await serveNodeListener(
    'graphql',
    (origin) => {
      const listener = nodeListener(handler, origin, maxBodyBytes);
      return (req, res) => {
        eventStreams.track(req, res);
        listener(req, res);
      };
    },
    options,
  );
  return {
    url: served.url,
    server: served.server,
    eventStreams,
    dropConnections: () => served.dropConnections(),
    close: () => served.close(),
  };
}

/** The certificate and key a TLS transport needs, or an error naming the transport. */
export function tlsOptions(
  transport: TransportId,
  tls: TlsMaterial | undefined,
): { cert: string; key: string } {
  if (!tls)
    throw new Error(`graphql: transport ${transport} needs options.tls (certificate and key), got none`);
  return { cert: tls.certPem, key: tls.keyPem };
}
