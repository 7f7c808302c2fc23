import type { FeedCore } from '../core/index.js';
import { startTopicService } from '../realtime/topic-service.js';
import type { RealtimeServerHandle, RealtimeStartOptions } from '../realtime/types.js';
import type { StartServer } from '../types.js';
import { serveEvents } from './stream.js';

/** Transports SSE runs on here; h3 needs an HTTP/3 server this adapter does not have yet. */
export const SSE_TRANSPORTS = ['h1', 'h1s', 'h2c', 'h2'] as const;

/**
 * Server-Sent Events over HTTP/1.1 or HTTP/2: `GET /events/{topic}` streams
 * a topic as text/event-stream (resumable with Last-Event-ID), and
 * `POST /publish/{topic}` publishes, since SSE has no upstream channel.
 */
export function startSse(core: FeedCore, options: RealtimeStartOptions): Promise<RealtimeServerHandle> {
  return startTopicService(core, options, {
    protocol: 'sse',
    transports: SSE_TRANSPORTS,
    route: 'events',
    serve: serveEvents,
  });
}

/** Every protocol's `index.ts` exports `start`; this is SSE's. */
export const start: StartServer = startSse;
