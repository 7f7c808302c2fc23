import type { UniversalHandler, UniversalHandlerFn } from '@connectrpc/connect/protocol';
import { type Http3StreamServer, serveUniversalOverHttp3 } from '../../lib/http3/index.js';
import type { StartOptions } from '../types.js';
import { PRECONNECT_PATH } from './protocol.js';

/**
 * Serves connect-es' per-method universal handlers over HTTP/3 (lib/http3).
 * One path for all three wire protocols, rather than the fetch bridge for
 * Connect and gRPC-Web plus a second one for gRPC: gRPC needs HTTP trailers,
 * which only the stream-level adapter can send, and the stream-level adapter
 * serves the other two just as well (full duplex included). What the router
 * answers is the same as on node: its routes, `OPTIONS /` → 204 for the
 * clients' preconnect, 404 otherwise.
 */
export function serveRpcOverHttp3(
  name: string,
  handlers: readonly UniversalHandler[],
  options: StartOptions,
  drain: { readonly graceMs: number; readonly onCutoff: () => void },
): Promise<Http3StreamServer> {
  if (!options.tls) {
    throw new Error(`${name}: transport h3 needs options.tls (certificate and key), got none`);
  }
  return serveUniversalOverHttp3(route(handlers), {
    host: options.host,
    port: options.port,
    certPem: options.tls.certPem,
    keyPem: options.tls.keyPem,
    shutdownGraceMs: drain.graceMs,
    onCutoff: drain.onCutoff,
  });
}

/** Dispatches on the path (query stripped), as connect-node's adapter does. */
function route(handlers: readonly UniversalHandler[]): UniversalHandlerFn {
  const paths = new Map(handlers.map((h) => [h.requestPath, h]));
  return async (req) => {
    const path = new URL(req.url).pathname;
    const handler = paths.get(path);
    if (handler) return handler(req);
    const probe = req.method === 'OPTIONS' && path === PRECONNECT_PATH;
    return { status: probe ? 204 : 404 };
  };
}
