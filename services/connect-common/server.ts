import { Code, ConnectError } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { FeedCore } from '../core/index.js';
import { DEFAULT_MAX_BODY_BYTES, type ServerHandle, type StartOptions } from '../types.js';
import { listenNode, type NodeHttpServer } from './node-server.js';
import { PRECONNECT_PATH, type RpcServerProtocol } from './protocol.js';
import { feedRoutes } from './routes.js';

/** How long `close()` lets in-flight calls finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 5000;
/** What calls still running after the grace period end with (connect-es sends it as their status). */
const SHUTTING_DOWN = new ConnectError('server shutting down', Code.Unavailable);

/** A handle that also counts what it accepted, so tests can check keep-alive reuse. */
export interface RpcServerHandle extends ServerHandle {
  stats(): ReturnType<NodeHttpServer['stats']>;
}

/**
 * Starts FeedService on connect-es' node adapter for one wire protocol and
 * one transport. Messages above `maxBodyBytes` are refused by connect-es with
 * `resource_exhausted` (its `readMaxBytes`, applied per message). `close()`
 * drains for a bounded time, then aborts handlers still running (through the
 * router's shutdown signal) and frees every socket and HTTP/2 session.
 */
export async function startRpcServer(
  core: FeedCore,
  options: StartOptions,
  protocol: RpcServerProtocol,
): Promise<RpcServerHandle> {
  const shutdown = new AbortController();
  const listener = connectNodeAdapter({
    routes: feedRoutes(core),
    ...protocol.enable,
    readMaxBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    shutdownSignal: shutdown.signal,
    fallback: (req, res) => {
      const probe = req.method === 'OPTIONS' && req.url === PRECONNECT_PATH;
      res.writeHead(probe ? 204 : 404);
      res.end();
    },
  });
  const server = await listenNode(protocol.id, options.transport, listener, options);
  let closing: Promise<void> | undefined;
  return {
    protocol: protocol.id,
    transport: options.transport,
    url: `${server.scheme}://${hostPort(options.host, server.port)}`,
    stats: () => server.stats(),
    close: () => {
      closing ??= server.close(SHUTDOWN_GRACE_MS, () => shutdown.abort(SHUTTING_DOWN));
      return closing;
    },
  };
}

/** IPv6 literals need brackets in URLs. */
function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
