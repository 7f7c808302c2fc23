/**
 * Connect realtime client (connect-es, Connect protocol, JSON or binary
 * protobuf over h1, h1s, h2c, h2): `createRealtimeClient` implements
 * RealtimeClient over TopicService; echo (FeedService.Chat) on HTTP/2 only.
 */
export { createRealtimeClient } from './client.js';
