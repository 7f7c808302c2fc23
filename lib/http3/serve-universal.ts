import type { UniversalHandlerFn } from '@connectrpc/connect/protocol';
import { type Http3ServeOptions, type Http3StreamServer, serveHttp3Streams } from './serve-streams.js';
import { serveUniversalStream } from './universal-stream.js';

/**
 * Serves a connect-es universal handler over HTTP/3 — the h3 counterpart
 * of connect-node's adapter: Connect, gRPC-Web and gRPC (trailers) on one
 * path. Port-0 binding and the draining `close()` (with `onCutoff` to abort
 * handlers still running after the grace period) come from serve-streams.ts.
 */
export function serveUniversalOverHttp3(
  handler: UniversalHandlerFn,
  options: Http3ServeOptions,
): Promise<Http3StreamServer> {
  return serveHttp3Streams(
    (stream, headers, flags, origin) => serveUniversalStream(handler, stream, headers, flags, origin),
    options,
  );
}
