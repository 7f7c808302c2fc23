import type { FeedCore } from '../core/index.js';
import { startTopicService } from '../realtime/topic-service.js';
import type { RealtimeServerHandle, RealtimeStartOptions } from '../realtime/types.js';
import type { StartServer } from '../types.js';
import { serveEvents } from './stream.js';

/** Transports SSE runs on: node's HTTP/1.1 and HTTP/2, and HTTP/3 through lib/http3 (services/realtime/h3-host.ts). */
export const SSE_TRANSPORTS = ['h1', 'h1s', 'h2c', 'h2', 'h3'] as const;

/**
 * Server-Sent Events over HTTP/1.1, HTTP/2 or HTTP/3: `GET /events/{topic}` streams
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
