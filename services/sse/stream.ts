import type { FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { FeedCore } from '../core/index.js';
import type { HttpExchange } from '../realtime/exchange.js';
import { drainWithin, eventJson, parseSeq } from '../realtime/http-util.js';
import type { OpenSet } from '../realtime/open-set.js';
import type { RealtimeLimits } from '../realtime/types.js';

const frameCache = new WeakMap<FeedEvent, Buffer>();

/** One event as an SSE block — `id: <seq>` then the protobuf JSON — encoded once for every subscriber. */
export function sseFrame(event: FeedEvent): Buffer {
  let frame = frameCache.get(event);
  if (!frame) {
    frame = Buffer.from(`id: ${event.seq}\ndata: ${eventJson(event)}\n\n`);
    frameCache.set(event, frame);
  }
  return frame;
}

/**
 * Serves `GET /events/{topic}` as a text/event-stream until the client goes,
 * the server closes (`open.closeAll()`) or the client falls too far behind.
 *
 * 1. Resume point: `Last-Event-ID` (what EventSource sends on reconnect), else
 *    `?after=` (a first connection cannot set headers from a browser), else live.
 * 2. Subscribe before the headers go out, so a refused subscription is a plain
 *    HTTP error and nothing published after the 200 can be missed.
 * 3. The first block carries `retry:` and an `id:` with no data: it sets the
 *    client's last event id to the resume point even before any event, so a
 *    reconnect never skips what was published in between. A resume that fell
 *    out of the history is reported as `event: gap` with `{from, to}`.
 * 4. Every event is written as soon as the hub hands it over. Bytes piling up
 *    beyond `maxBufferedBytes` pause forwarding (the hub queues meanwhile);
 *    not drained within `slowConsumerMs`, or dropped by the hub, the client is
 *    a slow consumer and its connection is cut (it reconnects and resumes, or
 *    learns of the gap).
 */
export async function serveEvents(
  core: FeedCore,
  topic: string,
  ex: HttpExchange,
  limits: RealtimeLimits,
  open: OpenSet,
): Promise<void> {
  const afterSeq =
    parseSeq('Last-Event-ID', ex.header('last-event-id')) ??
    parseSeq('after', new URL(ex.url, 'http://x').searchParams.get('after'));
  const resumeFrom = afterSeq ?? core.topics.nextSeq(topic) - 1n;
  const sub = core.topics.subscribe(topic, { afterSeq });
  const close = (): void => sub.close();
  ex.onClose(close);
  const forget = open.add(close);
  ex.respond(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    // Proxies such as nginx would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  let head = `retry: ${limits.retryMs}\nid: ${resumeFrom}\n\n`;
  if (sub.gap) head += `event: gap\ndata: {"from":"${sub.gap[0]}","to":"${sub.gap[1]}"}\n\n`;
  ex.write(head);
  const heartbeat = setInterval(() => {
    if (ex.writable) ex.write(': hb\n\n');
  }, limits.heartbeatMs);
  try {
    for await (const event of sub) {
      if (!ex.writable) break;
      ex.write(sseFrame(event));
      if (ex.buffered() <= limits.maxBufferedBytes) continue;
      const { maxBufferedBytes, slowConsumerMs } = limits;
      if (
        !(await drainWithin(
          () => ex.buffered(),
          maxBufferedBytes,
          slowConsumerMs,
          () => !ex.writable,
        ))
      ) {
        return ex.destroy();
      }
    }
    if (ex.writable) ex.end();
  } catch {
    // The hub dropped a slow consumer (RESOURCE_EXHAUSTED): cut it; it resumes on reconnect.
    ex.destroy();
  } finally {
    clearInterval(heartbeat);
    forget();
  }
}
