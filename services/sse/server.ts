import type { FeedCore } from '../core/index.js';
import { type NodeRequest, type NodeResponse, startHttpHost } from '../realtime/http-host.js';
import { HttpFailure, parseTarget, sendError } from '../realtime/http-util.js';
import { OpenSet } from '../realtime/open-set.js';
import { handlePublish } from '../realtime/publish.js';
import { type RealtimeServerHandle, type RealtimeStartOptions, resolveLimits } from '../realtime/types.js';
import type { StartServer } from '../types.js';
import { serveEvents } from './stream.js';

/** Transports SSE runs on here; h3 needs an HTTP/3 server this adapter does not have yet. */
export const SSE_TRANSPORTS = ['h1', 'h1s', 'h2c', 'h2'] as const;

/**
 * Server-Sent Events over HTTP/1.1 or HTTP/2: `GET /events/{topic}` streams
 * a topic as text/event-stream (resumable with Last-Event-ID), and
 * `POST /publish/{topic}` publishes, since SSE has no upstream channel.
 */
export async function startSse(core: FeedCore, options: RealtimeStartOptions): Promise<RealtimeServerHandle> {
  const limits = resolveLimits(options);
  const open = new OpenSet();
  const route = async (req: NodeRequest, res: NodeResponse): Promise<void> => {
    const { route, topic } = parseTarget(req);
    if (route === 'events' && topic !== undefined) {
      if (req.method !== 'GET')
        throw new HttpFailure(405, 'UNIMPLEMENTED', `method: expected GET, got ${req.method}`);
      return serveEvents(core, topic, req, res, limits, open);
    }
    if (route === 'publish' && topic !== undefined) {
      if (req.method !== 'POST')
        throw new HttpFailure(405, 'UNIMPLEMENTED', `method: expected POST, got ${req.method}`);
      return handlePublish(core, topic, req, res, limits.maxPayloadBytes);
    }
    throw new HttpFailure(
      404,
      'NOT_FOUND',
      `path: expected /events/{topic} or /publish/{topic}, got ${req.url}`,
    );
  };
  const host = await startHttpHost('sse', SSE_TRANSPORTS, options, (req, res) => {
    route(req, res).catch((error: unknown) => sendError(res, error));
  });
  let closing: Promise<void> | undefined;
  return {
    protocol: 'sse',
    transport: options.transport,
    url: host.url,
    connections: () => open.size,
    dropConnections: host.dropConnections,
    close: () => {
      // Ending every stream first lets each response finish cleanly before the sockets go.
      open.closeAll();
      closing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => host.close());
      return closing;
    },
  };
}

/** Every protocol's `index.ts` exports `start`; this is SSE's. */
export const start: StartServer = startSse;
