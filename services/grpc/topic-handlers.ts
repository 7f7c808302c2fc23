import { once } from 'node:events';
import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import {
  type PublishRequest,
  type TopicMessage,
  TopicService,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { CoreError, type FeedCore } from '../core/index.js';
import type { OpenSet } from '../realtime/open-set.js';
import { openTopicStream, publishToTopic } from '../realtime/topic-rpc.js';
import type { RealtimeLimits } from '../realtime/types.js';
import { decode, makeHandler } from './handlers.js';
import { toGrpcStatus } from './status.js';

/**
 * TopicService on grpc-js: Publish is an ordinary unary handler; Subscribe
 * is a server stream counted in `open` (the server's `connections()`), ended
 * cleanly at shutdown and cut with UNAVAILABLE when the client stops reading,
 * so the client resumes after its last seq as after any other cut.
 */
export function topicImplementation(
  core: FeedCore,
  open: OpenSet,
  limits: RealtimeLimits,
): UntypedServiceImplementation {
  const { publish } = TopicService.method;
  return {
    publish: makeHandler(publish, (input) => publishToTopic(core, input as PublishRequest)),
    subscribe: (call: ServerWritableStream<Buffer, TopicMessage>) =>
      void serveSubscribe(core, call, open, limits),
  };
}

async function serveSubscribe(
  core: FeedCore,
  call: ServerWritableStream<Buffer, TopicMessage>,
  open: OpenSet,
  limits: RealtimeLimits,
): Promise<void> {
  // Two reasons to stop: the client went (nothing to send) or the server is closing (end the stream).
  const gone = new AbortController();
  call.once('cancelled', () => gone.abort());
  const stop = new AbortController();
  const forget = open.add(() => stop.abort());
  const signal = AbortSignal.any([gone.signal, stop.signal]);
  let started = false;
  try {
    const stream = openTopicStream(core, decode(TopicService.method.subscribe.input, call.request), signal);
    for await (const message of stream) {
      if (signal.aborted) break;
      started = true;
      if (call.write(message)) continue;
      // Backpressure: wait for the client to read, but not forever — a stalled reader is cut.
      if (!(await drainedWithin(call, limits.slowConsumerMs, signal))) {
        const details = `subscriber: expected to read within ${limits.slowConsumerMs} ms, got no progress`;
        return void call.emit('error', { code: status.UNAVAILABLE, details });
      }
    }
    if (!gone.signal.aborted) call.end();
  } catch (error) {
    if (gone.signal.aborted) return;
    // A refusal (before the first message) keeps its code. Mid-stream, the only failure is the
    // hub dropping a subscriber that fell behind: a cut, which the client answers by resuming.
    const cut = started && error instanceof CoreError;
    call.emit('error', cut ? { code: status.UNAVAILABLE, details: error.message } : toGrpcStatus(error));
  } finally {
    forget();
    stop.abort();
  }
}

/** Whether `call` drains within `ms`; true as well when `signal` aborts first (nothing left to decide). */
async function drainedWithin(
  call: ServerWritableStream<Buffer, TopicMessage>,
  ms: number,
  signal: AbortSignal,
) {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), ms);
  try {
    await once(call, 'drain', { signal: AbortSignal.any([signal, timeout.signal]) });
    return true;
  } catch {
    return !timeout.signal.aborted;
  } finally {
    clearTimeout(timer);
  }
}
