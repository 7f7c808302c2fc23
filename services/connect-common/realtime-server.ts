import type { TransportId } from '../../protocols/types.js';
import type { FeedCore } from '../core/index.js';
import { type RealtimeServerHandle, type RealtimeStartOptions, resolveLimits } from '../realtime/types.js';
import type { RpcServerProtocol } from './protocol.js';
import { startRpcServer } from './server.js';

/**
 * Transports the connect-es push clients ride on. The server counts and cuts
 * on h3 too; the push client (clients/connect-realtime) has no h3 link yet.
 */
export const RPC_REALTIME_TRANSPORTS = ['h1', 'h1s', 'h2c', 'h2'] as const;

/**
 * The push entry's server: the very server `startRpcServer` runs (one
 * server, so the bench, which starts the request/response one, counts and
 * cuts the same connections the realtime tests do), with the realtime
 * limits applied — `maxPayloadBytes` is connect-es' per-message
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
  return startRpcServer(core, { ...options, maxBodyBytes: limits.maxPayloadBytes }, protocol);
}
