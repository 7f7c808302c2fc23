import { create } from '@bufbuild/protobuf';
import test from 'ava';
import { type FeedEvent, PostSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { TopicHub } from '../../services/core/index.js';

const post = (id: string) => ({ case: 'post' as const, value: create(PostSchema, { id }) });

async function take(it: AsyncIterable<FeedEvent>, n: number): Promise<bigint[]> {
  const out: bigint[] = [];
  for await (const e of it) {
    out.push(e.seq);
    if (out.length === n) break;
  }
  return out;
}

test('subscribers get every event after they subscribe, in seq order, numbered from 1', async (t) => {
  const hub = new TopicHub();
  const a = hub.subscribe('t');
  const b = hub.subscribe('t');
  for (let i = 0; i < 5; i++) hub.publish('t', post(`p${i}`));
  t.deepEqual(await take(a, 5), [1n, 2n, 3n, 4n, 5n]);
  t.deepEqual(await take(b, 5), [1n, 2n, 3n, 4n, 5n]);
  t.is(hub.subscriberCount('t'), 0, 'breaking out of the loop unsubscribes');
});

test('resume after a seq replays the history without duplicates, then continues live', async (t) => {
  const hub = new TopicHub({ historyPerTopic: 10 });
  for (let i = 0; i < 6; i++) hub.publish('t', post(`p${i}`));
  const sub = hub.subscribe('t', { afterSeq: 3n });
  t.is(sub.gap, undefined);
  hub.publish('t', post('p7'));
  t.deepEqual(await take(sub, 4), [4n, 5n, 6n, 7n]);
});

test('resume beyond the history reports the gap', async (t) => {
  const hub = new TopicHub({ historyPerTopic: 3 });
  for (let i = 0; i < 10; i++) hub.publish('t', post(`p${i}`));
  const sub = hub.subscribe('t', { afterSeq: 2n });
  t.deepEqual(sub.gap, [3n, 7n]);
  t.deepEqual(await take(sub, 3), [8n, 9n, 10n]);
});

test('a slow consumer is dropped with RESOURCE_EXHAUSTED instead of growing without bound', async (t) => {
  const hub = new TopicHub({ maxQueuedPerSubscriber: 5 });
  const slow = hub.subscribe('t');
  for (let i = 0; i < 20; i++) hub.publish('t', post(`p${i}`));
  t.is(hub.subscriberCount('t'), 0);
  const error = await t.throwsAsync(take(slow, 100));
  t.is((error as { code?: string }).code, 'RESOURCE_EXHAUSTED');
});

test('an abort signal closes the subscription', async (t) => {
  const hub = new TopicHub();
  const controller = new AbortController();
  const sub = hub.subscribe('t', { signal: controller.signal });
  setTimeout(() => controller.abort(), 10);
  t.deepEqual(await take(sub, 1), []);
  t.is(hub.subscriberCount(), 0);
});
