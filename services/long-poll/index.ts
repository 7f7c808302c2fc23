/**
 * Long-polling adapter: `GET /poll/{topic}?after=<seq>&timeout=<ms>` over
 * h1, h1s, h2c, h2 and h3 — the cursor makes every poll a resume.
 */
export { DEFAULT_POLL_TIMEOUT_MS, LAST_SEQ_HEADER, servePoll } from './poll.js';
export { LONG_POLL_TRANSPORTS, start, startLongPoll } from './server.js';
