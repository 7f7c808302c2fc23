import { setMaxListeners } from 'node:events';
import { type ConnectRouter, type ConnectRouterOptions, createConnectRouter } from '@connectrpc/connect';
import type { UniversalHandler } from '@connectrpc/connect/protocol';
import { compressionBrotli, compressionGzip, connectNodeAdapter } from '@connectrpc/connect-node';
import { type NodeListener, SHUTDOWN_GRACE_MS, serveNodeListener } from '../../lib/node-http.js';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { FeedCore } from '../core/index.js';
import type { RealtimeServerHandle } from '../realtime/types.js';
import { DEFAULT_MAX_BODY_BYTES, type StartOptions } from '../types.js';
import { serveRpcOverHttp3 } from './h3-server.js';
import { PRECONNECT_PATH, type RpcServerProtocol } from './protocol.js';
import { PushCalls, SHUTTING_DOWN } from './push-calls.js';
import { feedRoutes } from './routes.js';

/**
 * A handle that also counts what it accepted (so tests can check keep-alive
 * and QUIC connection reuse) and is a push server's handle too: `npm run
 * services` and the bench start this server for `connect`, so their
 * connections and reconnect-storm cells count and cut its push clients.
 */
export interface RpcServerHandle extends RealtimeServerHandle {
  /** Connections accepted (TCP, or QUIC for h3) and requests received since start. */
  stats(): { readonly connections: number; readonly requests: number };
}

/** What either host returns: lib/node-http's NodeServed and lib/http3's Http3StreamServer both fit. */
interface Served {
  readonly url: string;
  stats(): { readonly connections: number; readonly requests: number };
  dropConnections(): number;
  close(): Promise<void>;
}

/**
 * Starts FeedService (and TopicService) on connect-es for one wire protocol
 * and one transport: h1, h1s, h2c and h2 on connect-node's adapter over
 * lib/node-http (sockets and HTTP/2 sessions tracked, Nagle off), h3 on the
 * same router's universal handlers over QUIC (lib/http3, see h3-server.ts).
 * Messages above `maxBodyBytes` are refused by connect-es with
 * `resource_exhausted` (its `readMaxBytes`, applied per message).
 *
 * `connections()` counts open Subscribe and Chat calls — the logical
 * connections of a push service, as open SSE streams are for SSE — so a
 * cancelled subscription shows as soon as it is freed; `dropConnections()`
 * cuts every socket or QUIC connection as a network failure would, and the
 * clients resume with `after_seq`. `close()` ends the push calls first
 * (`unavailable`), then drains the request/response calls for a bounded
 * time, aborts handlers still running (through the router's shutdown
 * signal, so they end `unavailable`) and frees every socket, HTTP/2
 * session and QUIC connection.
 */
export async function startRpcServer(
  core: FeedCore,
  options: StartOptions,
  protocol: RpcServerProtocol,
): Promise<RpcServerHandle> {
  const { router, cutoff } = rpcRouter(options, protocol);
  const push = new PushCalls();
  const routes = feedRoutes(core, FeedService, push);
  const drain = { graceMs: SHUTDOWN_GRACE_MS, onCutoff: cutoff };
  const served: Served =
    options.transport === 'h3'
      ? await serveRpcOverHttp3(protocol.id, universalHandlers(router, routes), options, drain)
      : await serveNodeListener(protocol.id, () => nodeListener(router, routes), options, drain);
  let closing: Promise<void> | undefined;
  return {
    protocol: protocol.id,
    transport: options.transport,
    url: served.url,
    stats: () => served.stats(),
    connections: () => push.size,
    dropConnections: () => served.dropConnections(),
    close: () => {
      closing ??= (async () => {
        push.endAll();
        await served.close();
      })();
      return closing;
    },
  };
}

/** connect-node's adapter over the routes; `OPTIONS /` → 204 for the clients' preconnect, 404 otherwise. */
function nodeListener(router: ConnectRouterOptions, routes: (r: ConnectRouter) => void): NodeListener {
  return connectNodeAdapter({
    ...router,
    routes,
    fallback: (req, res) => {
      const probe = req.method === 'OPTIONS' && req.url === PRECONNECT_PATH;
      res.writeHead(probe ? 204 : 404);
      res.end();
    },
  });
}

/** The routes as connect-es' per-method universal handlers, which the h3 server serves. */
function universalHandlers(
  router: ConnectRouterOptions,
  routes: (r: ConnectRouter) => void,
): UniversalHandler[] {
  const r = createConnectRouter(router);
  routes(r);
  return r.handlers;
}

/** The router options both servers share, and the cutoff that aborts calls still running after the grace. */
function rpcRouter(
  options: StartOptions,
  protocol: RpcServerProtocol,
): { router: ConnectRouterOptions; cutoff: () => void } {
  const shutdown = new AbortController();
  // connect-es links every in-flight call's signal to this one: one listener per call, by design
  // (thousands of subscriptions are thousands of listeners, not a leak).
  setMaxListeners(0, shutdown.signal);
  // connect-node's adapter defaults: gzip and brotli accepted (clients here send uncompressed).
  const router: ConnectRouterOptions = {
    ...protocol.enable,
    readMaxBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    shutdownSignal: shutdown.signal,
    acceptCompression: [compressionGzip, compressionBrotli],
  };
  return { router, cutoff: () => shutdown.abort(SHUTTING_DOWN) };
}
