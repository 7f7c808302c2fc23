import { type FetchHandler, serveStream } from './fetch-stream.js';
import { type Http3ServeOptions, type Http3StreamServer, serveHttp3Streams } from './serve-streams.js';

export type { Http3ServeOptions } from './serve-streams.js';

/** A fetch handler listening on HTTP/3. */
export type Http3FetchServer = Http3StreamServer;

/**
 * Serves any fetch handler (REST, GraphQL) over HTTP/3 with
 * @currentspace/http3. Why a shared helper: every protocol's h3 variant
 * needs the same stream ⇄ Request/Response bridge, and the package's traps
 * (see fetch-stream.ts) are easier to get right once. Port-0 binding and
 * the draining `close()` come from serve-streams.ts.
 */
export function serveFetchOverHttp3(
  handler: FetchHandler,
  options: Http3ServeOptions,
): Promise<Http3FetchServer> {
  return serveHttp3Streams(
    (stream, headers, flags, origin) => serveStream(handler, stream, headers, flags, origin),
    options,
  );
}
