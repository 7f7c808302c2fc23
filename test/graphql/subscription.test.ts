import test from 'ava';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { Fixture, feedSubscription, newSpy } from './helpers.js';

const m = FeedService.method;
const fixture = new Fixture();
test.after.always(() => fixture.close());

for (const transport of ['h1', 'h2c'] as const) {
  test(`feed subscription over SSE (${transport}) delivers count events in order, then completes`, async (t) => {
    const server = await fixture.server(newSpy(), transport);
    const client = await fixture.client(server);
    const { seqs, topics, cases, firstByte } = await feedSubscription(client, 200);
    t.deepEqual(topics, ['news']);
    t.deepEqual(cases, ['post']);
    t.deepEqual(
      seqs,
      Array.from({ length: 200 }, (_, i) => BigInt(i + 1)),
    );
    t.truthy(firstByte);
  });
}

test('paced subscription keeps the schedule and the order', async (t) => {
  const server = await fixture.server(newSpy(), 'h2c');
  const client = await fixture.client(server);
  const started = performance.now();
  const seqs: number[] = [];
  for await (const event of client.serverStream!(m.streamFeed, {
    topic: 't',
    count: 5,
    ratePerSecond: 100,
  })) {
    seqs.push(Number(event.seq));
  }
  t.deepEqual(seqs, [1, 2, 3, 4, 5]);
  t.true(performance.now() - started >= 35, 'four gaps of 10 ms');
});

test('stopping early closes the stream and ends the core generator', async (t) => {
  const core = newSpy();
  const server = await fixture.server(core, 'h1');
  const client = await fixture.client(server);
  let n = 0;
  for await (const _ of client.serverStream!(m.streamFeed, { topic: 't', count: 1000, ratePerSecond: 200 })) {
    if (++n === 3) break;
  }
  for (let i = 0; i < 100 && core.ends.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.is(core.ends.length, 1);
});

test('a core error in a subscription arrives as a ClientError with the core code', async (t) => {
  const server = await fixture.server(newSpy(), 'h2c');
  const client = await fixture.client(server);
  const error = await t.throwsAsync(async () => {
    for await (const _ of client.serverStream!(m.streamFeed, { topic: '', count: 3 })) {
      // never reached
    }
  });
  t.is((error as { code?: string }).code, 'INVALID_ARGUMENT');
});
