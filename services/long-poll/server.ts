import type { FeedCore } from '../core/index.js';
import { startTopicService } from '../realtime/topic-service.js';
import type { RealtimeServerHandle, RealtimeStartOptions } from '../realtime/types.js';
import type { StartServer } from '../types.js';
import { servePoll } from './poll.js';

/** Transports long-polling runs on: node's HTTP/1.1 and HTTP/2, and HTTP/3 through lib/http3 (services/realtime/h3-host.ts). */
export const LONG_POLL_TRANSPORTS = ['h1', 'h1s', 'h2c', 'h2', 'h3'] as const;

/**
 * Long-polling, the baseline every push technology is compared with:
 * `GET /poll/{topic}?after=&timeout=` holds until events exist after the
 * cursor (or the timeout passes), and `POST /publish/{topic}` publishes.
 */
export function startLongPoll(core: FeedCore, options: RealtimeStartOptions): Promise<RealtimeServerHandle> {
  return startTopicService(core, options, {
    protocol: 'long-poll',
    transports: LONG_POLL_TRANSPORTS,
    route: 'poll',
    serve: servePoll,
  });
}

/** Every protocol's `index.ts` exports `start`; this is long-polling's. */
export const start: StartServer = startLongPoll;
