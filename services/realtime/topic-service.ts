import type { ProtocolId, TransportId } from '../../protocols/types.js';
import type { FeedCore } from '../core/index.js';
import { type NodeRequest, type NodeResponse, startHttpHost } from './http-host.js';
import { HttpFailure, parseTarget, sendError } from './http-util.js';
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
    req: NodeRequest,
    res: NodeResponse,
    limits: RealtimeLimits,
    open: OpenSet,
  ) => Promise<void>;
}

/**
 * An HTTP push service: `GET /{route}/{topic}` delivers (the spec's handler),
 * `POST /publish/{topic}` publishes, anything else is a JSON 404/405.
 * `close()` ends every open delivery first, so each response finishes cleanly
 * (SSE streams end, held polls answer 204) before the sockets go.
 */
export async function startTopicService(
  core: FeedCore,
  options: RealtimeStartOptions,
  spec: TopicServiceSpec,
): Promise<RealtimeServerHandle> {
  const limits = resolveLimits(options);
  const open = new OpenSet();
  const route = async (req: NodeRequest, res: NodeResponse): Promise<void> => {
    const { route, topic } = parseTarget(req);
    if (route === spec.route && topic !== undefined) {
      if (req.method !== 'GET')
        throw new HttpFailure(405, 'UNIMPLEMENTED', `method: expected GET, got ${req.method}`);
      return spec.serve(core, topic, req, res, limits, open);
    }
    if (route === 'publish' && topic !== undefined) {
      if (req.method !== 'POST')
        throw new HttpFailure(405, 'UNIMPLEMENTED', `method: expected POST, got ${req.method}`);
      return handlePublish(core, topic, req, res, limits.maxPayloadBytes);
    }
    throw new HttpFailure(
      404,
      'NOT_FOUND',
      `path: expected /${spec.route}/{topic} or /publish/{topic}, got ${req.url}`,
    );
  };
  const host = await startHttpHost(spec.protocol, spec.transports, options, (req, res) => {
    route(req, res).catch((error: unknown) => sendError(res, error));
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
