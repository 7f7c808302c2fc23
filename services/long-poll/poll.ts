import type { FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { FeedCore } from '../core/index.js';
import type { HttpExchange } from '../realtime/exchange.js';
import { eventJson, HttpFailure, parseSeq } from '../realtime/http-util.js';
import type { OpenSet } from '../realtime/open-set.js';
import type { RealtimeLimits } from '../realtime/types.js';

/** Response header carrying the cursor for the next poll: the last seq this response covers. */
export const LAST_SEQ_HEADER = 'wb-last-seq';
/** Hold used when the client names none. */
export const DEFAULT_POLL_TIMEOUT_MS = 20_000;

const TIMED_OUT = Symbol('timed out');

/**
 * Serves `GET /poll/{topic}?after=<seq>&timeout=<ms>`.
 *
 * 1. Subscribe with `afterSeq` (no `after`: from now on) — the hub replays what
 *    its history holds after the cursor, then waits for live events.
 * 2. Wait up to `timeout` for the first event; none → 204. `timeout=0` answers
 *    at once, which is how a client learns the current cursor.
 * 3. Take whatever else is already queued (up to `maxBatch`) without waiting
 *    again: one response carries a burst, and the next poll picks up the rest
 *    from the history. Resume is inherent — the cursor is the client's.
 * 4. Every response names its cursor in `wb-last-seq`; a 200 body is
 *    `{"events":[FeedEvent JSON…],"gap":{"from","to"}?}`.
 */
export async function servePoll(
  core: FeedCore,
  topic: string,
  ex: HttpExchange,
  limits: RealtimeLimits,
  open: OpenSet,
): Promise<void> {
  const query = new URL(ex.url, 'http://x').searchParams;
  const after = parseSeq('after', query.get('after'));
  const timeoutMs = parseTimeout(query.get('timeout'), limits.maxPollTimeoutMs);
  const cursor = after ?? core.topics.nextSeq(topic) - 1n;
  const sub = core.topics.subscribe(topic, { afterSeq: cursor });
  const close = (): void => sub.close();
  ex.onClose(close);
  const forget = open.add(close);
  const it = sub[Symbol.asyncIterator]();
  const batch: FeedEvent[] = [];
  try {
    let pending = it.next();
    let result = await within(pending, timeoutMs);
    while (result !== TIMED_OUT && !result.done) {
      batch.push(result.value);
      if (batch.length >= limits.maxBatch) break;
      pending = it.next();
      result = await within(pending, -1);
    }
  } catch {
    // The hub dropped this poll as a slow consumer: answer with what was collected.
  } finally {
    sub.close();
    forget();
    void it.return?.(undefined);
  }
  if (!ex.writable) return;
  const last = batch.at(-1)?.seq ?? cursor;
  const headers = { [LAST_SEQ_HEADER]: String(last), 'cache-control': 'no-store' };
  if (batch.length === 0) {
    ex.respond(204, headers);
    return ex.end();
  }
  const gap = sub.gap ? `,"gap":{"from":"${sub.gap[0]}","to":"${sub.gap[1]}"}` : '';
  const body = `{"events":[${batch.map(eventJson).join(',')}]${gap}}`;
  ex.respond(200, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  ex.end(body);
}

function parseTimeout(value: string | null, max: number): number {
  if (value === null || value === '') return Math.min(DEFAULT_POLL_TIMEOUT_MS, max);
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > max) {
    throw new HttpFailure(
      400,
      'INVALID_ARGUMENT',
      `timeout: expected 0..${max} (milliseconds), got "${value.slice(0, 20)}"`,
    );
  }
  return ms;
}

/**
 * `pending`, or TIMED_OUT after `ms`. With `ms` < 0, "now": whatever the hub
 * already queued resolves within microtasks, before `setImmediate` fires.
 */
function within<T>(pending: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = ms < 0 ? setImmediate(resolve, TIMED_OUT) : setTimeout(resolve, ms, TIMED_OUT);
  });
  return Promise.race([pending, timeout]).finally(() => {
    if (ms < 0) clearImmediate(timer as NodeJS.Immediate);
    else clearTimeout(timer as NodeJS.Timeout);
  });
}
