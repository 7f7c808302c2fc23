/**
 * gRPC realtime client (grpc-js over h2c and h2, binary protobuf):
 * `createRealtimeClient` implements RealtimeClient over TopicService
 * (Subscribe with resume, Publish) and FeedService.Chat for echo.
 */
export { createRealtimeClient } from './client.js';
