/**
 * Shared realtime server bits: the handle type with `connections()`, limits,
 * the HTTP host the WebSocket, SSE and long-poll services ride on, and the
 * publish route SSE and long-poll share.
 */
export { AsyncQueue } from './async-queue.js';
export { type HttpHost, type NodeRequest, type NodeResponse, startHttpHost } from './http-host.js';
export { drainWithin, eventJson, HttpFailure, MAX_TOPIC_LENGTH, parseSeq, sendError } from './http-util.js';
export { OpenSet } from './open-set.js';
export { handlePublish } from './publish.js';
export {
  DEFAULT_REALTIME_LIMITS,
  type Gap,
  type RealtimeLimits,
  type RealtimeServerHandle,
  type RealtimeStartOptions,
  resolveLimits,
} from './types.js';
