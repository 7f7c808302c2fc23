import { setMaxListeners } from 'node:events';
import { Code, ConnectError, type ConnectRouterOptions, createConnectRouter } from '@connectrpc/connect';
import { compressionBrotli, compressionGzip, connectNodeAdapter } from '@connectrpc/connect-node';
import { hostPort } from '../../lib/host-port.js';
import type { FeedCore } from '../core/index.js';
import { DEFAULT_MAX_BODY_BYTES, type ServerHandle, type StartOptions } from '../types.js';
import { serveRpcOverHttp3 } from './h3-server.js';
import { listenNode } from './node-server.js';
import { PRECONNECT_PATH, type RpcServerProtocol } from './protocol.js';
import { feedRoutes } from './routes.js';

/** How long `close()` lets in-flight calls finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 5000;
/** What calls still running after the grace period end with (connect-es sends it as their status). */
const SHUTTING_DOWN = new ConnectError('server shutting down', Code.Unavailable);

/** A handle that also counts what it accepted, so tests can check keep-alive and QUIC connection reuse. */
export interface RpcServerHandle extends ServerHandle {
  /** Connections accepted (TCP, or QUIC for h3) and requests received since start. */
  stats(): { readonly connections: number; readonly requests: number };
}

/** A listening server of either kind, before it is labelled with protocol and transport. */
interface Served {
  readonly url: string;
  stats(): { readonly connections: number; readonly requests: number };
  close(): Promise<void>;
}

/**
 * Starts FeedService on connect-es for one wire protocol and one transport:
 * h1, h1s, h2c and h2 on connect-node's adapter over node's servers, h3 on
 * the same router's universal handlers over QUIC (lib/http3, see
 * h3-server.ts). Messages above `maxBodyBytes` are refused by connect-es
 * with `resource_exhausted` (its `readMaxBytes`, applied per message).
 * `close()` drains for a bounded time, then aborts handlers still running
 * (through the router's shutdown signal, so they end `unavailable`) and
 * frees every socket, HTTP/2 session and QUIC connection.
 */
export async function startRpcServer(
  core: FeedCore,
  options: StartOptions,
  protocol: RpcServerProtocol,
): Promise<RpcServerHandle> {
  const shutdown = new AbortController();
  // connect-es links every in-flight call's signal to this one: one listener per call, by design.
  setMaxListeners(0, shutdown.signal);
  const cutoff = (): void => shutdown.abort(SHUTTING_DOWN);
  // connect-node's adapter defaults: gzip and brotli accepted (clients here send uncompressed).
  const router: ConnectRouterOptions = {
    ...protocol.enable,
    readMaxBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    shutdownSignal: shutdown.signal,
    acceptCompression: [compressionGzip, compressionBrotli],
  };
  const served =
    options.transport === 'h3'
      ? await serveH3(core, options, protocol, router, cutoff)
      : await serveNode(core, options, protocol, router, cutoff);
  return {
    protocol: protocol.id,
    transport: options.transport,
    url: served.url,
    stats: () => served.stats(),
    close: () => served.close(),
  };
}

async function serveNode(
  core: FeedCore,
  options: StartOptions,
  protocol: RpcServerProtocol,
  router: ConnectRouterOptions,
  cutoff: () => void,
): Promise<Served> {
  const listener = connectNodeAdapter({
    ...router,
    routes: feedRoutes(core),
    fallback: (req, res) => {
      const probe = req.method === 'OPTIONS' && req.url === PRECONNECT_PATH;
      res.writeHead(probe ? 204 : 404);
      res.end();
    },
  });
  const server = await listenNode(protocol.id, options.transport, listener, options);
  let closing: Promise<void> | undefined;
  return {
    url: `${server.scheme}://${hostPort(options.host, server.port)}`,
    stats: () => server.stats(),
    close: () => {
      closing ??= server.close(SHUTDOWN_GRACE_MS, cutoff);
      return closing;
    },
  };
}

async function serveH3(
  core: FeedCore,
  options: StartOptions,
  protocol: RpcServerProtocol,
  router: ConnectRouterOptions,
  cutoff: () => void,
): Promise<Served> {
  const routes = createConnectRouter(router);
  feedRoutes(core)(routes);
  return serveRpcOverHttp3(protocol.id, routes.handlers, options, {
    graceMs: SHUTDOWN_GRACE_MS,
    onCutoff: cutoff,
  });
}
