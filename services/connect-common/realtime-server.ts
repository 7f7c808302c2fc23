import type { TransportId } from '../../protocols/types.js';
import type { FeedCore } from '../core/index.js';
import { type RealtimeServerHandle, type RealtimeStartOptions, resolveLimits } from '../realtime/types.js';
import type { RpcServerProtocol } from './protocol.js';
import { startRpcNode } from './server.js';

/** Transports the connect-es push servers ride on (h3 needs the QUIC host, which tracks no sockets yet). */
export const RPC_REALTIME_TRANSPORTS = ['h1', 'h1s', 'h2c', 'h2'] as const;

/**
 * The push entry's server: the very server `startRpcServer` runs on node's
 * transports (one server, so the bench, which starts the request/response
 * one, counts and cuts the same connections the realtime tests do), with
 * the realtime limits applied — `maxPayloadBytes` is connect-es' per-message
 * `readMaxBytes`.
 */
export function startRpcRealtime(
  core: FeedCore,
  options: RealtimeStartOptions,
  protocol: RpcServerProtocol,
): Promise<RealtimeServerHandle> {
  const allowed: readonly TransportId[] = RPC_REALTIME_TRANSPORTS;
  if (!allowed.includes(options.transport)) {
    const list = allowed.join(', ');
    return Promise.reject(new Error(`${protocol.id}: expected transport ${list}, got ${options.transport}`));
  }
  const limits = resolveLimits(options);
  return startRpcNode(core, { ...options, maxBodyBytes: limits.maxPayloadBytes }, protocol);
}
