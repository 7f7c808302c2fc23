import type { ProtocolId, TransportId } from '../../protocols/types.js';
import type { FeedCore } from '../core/index.js';
import { type HttpExchange, nodeExchange } from './exchange.js';
import { type H3Host, startH3Host } from './h3-host.js';
import { startHttpHost } from './http-host.js';
import { HttpFailure, parseTarget, sendExchangeError } from './http-util.js';
import { OpenSet } from './open-set.js';
import { handlePublish } from './publish.js';
import {
  type RealtimeLimits,
  type RealtimeServerHandle,
  type RealtimeStartOptions,
  resolveLimits,
} from './types.js';

/** What differs between the HTTP push services (SSE, long-polling): their name, route and delivery handler. */
export interface TopicServiceSpec {
  readonly protocol: ProtocolId;
  readonly transports: readonly TransportId[];
  /** The first path segment of the delivery route: `GET /{route}/{topic}`. */
  readonly route: string;
  readonly serve: (
    core: FeedCore,
    topic: string,
    exchange: HttpExchange,
    limits: RealtimeLimits,
    open: OpenSet,
  ) => Promise<void>;
}

/**
 * An HTTP push service: `GET /{route}/{topic}` delivers (the spec's handler),
 * `POST /publish/{topic}` publishes, anything else is a JSON 404/405.
 * `close()` ends every open delivery first, so each response finishes cleanly
 * (SSE streams end, held polls answer 204) before the sockets go. The
 * handlers see only an HttpExchange, so HTTP/1.1, HTTP/2 (node) and HTTP/3
 * (h3-host.ts) serve the same routes; `h3` runs when the spec lists it.
 */
export async function startTopicService(
  core: FeedCore,
  options: RealtimeStartOptions,
  spec: TopicServiceSpec,
): Promise<RealtimeServerHandle> {
  const limits = resolveLimits(options);
  const open = new OpenSet();
  const route = async (ex: HttpExchange): Promise<void> => {
    const { route, topic } = parseTarget(ex.url);
    if (route === spec.route && topic !== undefined) {
      if (ex.method !== 'GET')
        throw new HttpFailure(405, 'UNIMPLEMENTED', `method: expected GET, got ${ex.method}`);
      return spec.serve(core, topic, ex, limits, open);
    }
    if (route === 'publish' && topic !== undefined) {
      if (ex.method !== 'POST')
        throw new HttpFailure(405, 'UNIMPLEMENTED', `method: expected POST, got ${ex.method}`);
      return handlePublish(core, topic, ex, limits.maxPayloadBytes);
    }
    throw new HttpFailure(
      404,
      'NOT_FOUND',
      `path: expected /${spec.route}/{topic} or /publish/{topic}, got ${ex.url}`,
    );
  };
  const serve = (ex: HttpExchange): Promise<void> =>
    route(ex).catch((error: unknown) => sendExchangeError(ex, error));
  const host: H3Host =
    options.transport === 'h3' && spec.transports.includes('h3')
      ? await startH3Host(spec.protocol, options, serve, h3IdleTimeoutMs(limits))
      : await startHttpHost(spec.protocol, spec.transports, options, (req, res) => {
          void serve(nodeExchange(req, res));
        });
  let closing: Promise<void> | undefined;
  return {
    protocol: spec.protocol,
    transport: options.transport,
    url: host.url,
    connections: () => open.size,
    dropConnections: host.dropConnections,
    close: () => {
      open.closeAll();
      closing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => host.close());
      return closing;
    },
  };
}

/**
 * The QUIC idle timeout of the h3 host: just above the longest silence of a
 * live client — an SSE stream carries a heartbeat every `heartbeatMs` (the
 * client ACKs it), a held poll answers within `maxPollTimeoutMs` — so a
 * vanished client is freed within that, not after a generic minute.
 */
function h3IdleTimeoutMs(limits: RealtimeLimits): number {
  return Math.max(2 * limits.heartbeatMs, limits.maxPollTimeoutMs) + 5000;
}
