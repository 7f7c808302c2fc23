import { create } from '@bufbuild/protobuf';
import {
  type FeedEvent,
  type PublishRequest,
  type SubscribeRequest,
  type TopicMessage,
  TopicMessageSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { CoreError, type FeedCore } from '../core/index.js';
import { MAX_TOPIC_LENGTH } from './http-util.js';

/**
 * TopicService (feed.proto) over the core's TopicHub, for the adapters that
 * serve it as RPCs — gRPC, Connect, GraphQL. Each adapter only carries these
 * messages; what a subscription stream contains is decided here, once.
 */

/** Topic names: 1..MAX_TOPIC_LENGTH characters, the same rule as the HTTP push routes. */
function expectTopic(topic: string): void {
  if (topic === '' || topic.length > MAX_TOPIC_LENGTH) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `topic: expected 1..${MAX_TOPIC_LENGTH} characters, got ${topic.length}`,
    );
  }
}

/**
 * The Subscribe stream, opened at once (not on the first read) so a refusal
 * is thrown to the caller before any message:
 *
 * 1. The resume point is read in the same tick as the hub subscription
 *    starts, so nothing published in between can slip past.
 * 2. `subscribed { lastSeq }` first, `gap` next when the resume lost events,
 *    then every event in seq order until `signal` aborts or the iterator is
 *    returned (both free the hub subscription).
 * 3. A subscriber the hub dropped for falling behind ends with its
 *    RESOURCE_EXHAUSTED error; adapters cut that stream (the client resumes).
 */
export function openTopicStream(
  core: FeedCore,
  request: SubscribeRequest,
  signal: AbortSignal,
): AsyncGenerator<TopicMessage> {
  expectTopic(request.topic);
  const { topic, afterSeq } = request;
  const lastSeq = afterSeq ?? core.topics.nextSeq(topic) - 1n;
  const sub = core.topics.subscribe(topic, { afterSeq, signal });
  return (async function* () {
    try {
      yield create(TopicMessageSchema, { kind: { case: 'subscribed', value: { lastSeq } } });
      if (sub.gap) {
        const [from, to] = sub.gap;
        yield create(TopicMessageSchema, { kind: { case: 'gap', value: { from, to } } });
      }
      for await (const event of sub) yield eventMessage(event);
    } finally {
      sub.close();
    }
  })();
}

const messageCache = new WeakMap<FeedEvent, TopicMessage>();

/** One TopicMessage per event, shared by every subscriber (adapters that cache encodings key on it). */
function eventMessage(event: FeedEvent): TopicMessage {
  let message = messageCache.get(event);
  if (!message) {
    message = create(TopicMessageSchema, { kind: { case: 'event', value: event } });
    messageCache.set(event, message);
  }
  return message;
}

/** Publish: a post or a comment to a topic; the hub assigns seq, topic and sentAt. */
export function publishToTopic(core: FeedCore, request: PublishRequest): FeedEvent {
  expectTopic(request.topic);
  if (request.payload.case === undefined) {
    throw new CoreError('INVALID_ARGUMENT', 'payload: expected a post or a comment, got none');
  }
  return core.topics.publish(request.topic, request.payload);
}
