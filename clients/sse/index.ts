/**
 * SSE client (text/event-stream over h1, h1s, h2c, h2, h3): `createRealtimeClient`
 * implements RealtimeClient with Last-Event-ID resume and seeded backoff.
 */
export { createRealtimeClient } from './client.js';
export { type SseBlock, sseBlocks } from './parser.js';
