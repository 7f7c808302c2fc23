/**
 * Server-Sent Events adapter: topics of the core's TopicHub as
 * text/event-stream over h1, h1s, h2c, h2 and h3, with Last-Event-ID resume.
 */
export { SSE_TRANSPORTS, start, startSse } from './server.js';
export { serveEvents, sseFrame } from './stream.js';
