/**
 * The realtime client interface every push protocol implements, and the
 * pieces its clients share: seeded backoff, the resume loop, HTTP/1.1 and
 * HTTP/2 requests, publishing over HTTP.
 */
export { Backoff, RECONNECT_DEFAULTS, sleep } from './backoff.js';
export { type HttpConnector, type HttpReply, httpConnector, readText, replyError } from './http.js';
export { publishOverHttp } from './http-publish.js';
export { type Attempt, type AttemptSink, resumableSubscription } from './resumable.js';
export type {
  CreateRealtimeClient,
  EventPayload,
  Gap,
  RealtimeClient,
  RealtimeClientOptions,
  RealtimeSubscription,
  ReconnectOptions,
  SubscribeOptions,
} from './types.js';
