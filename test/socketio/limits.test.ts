import test from 'ava';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { post, seqs, take, waitFor } from '../realtime/helpers.js';
import { assertServes, rawEngineWs, rawPolling, serveSio, TRANSPORTS } from './fixtures.js';

/** Message size, subscriptions per connection, idleness and shutdown: each ends one session, never the server. */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
const limits = { maxPayloadBytes: 1024, maxSubscriptionsPerConnection: 2 };
let topicNo = 0;
const freshTopic = (): string => `sio-limits-${++topicNo}`;
const bigPublish = (id: number): string =>
  `42${id}["publish",{"topic":"t","event":{"post":{"body":"${'x'.repeat(2000)}"}}}]`;

test('websocket: a message over maxPayloadBytes closes that connection with 1009', async (t) => {
  const { server, client } = await serveSio(t, core, limits);
  const raw = await rawEngineWs(server.url);
  raw.ws.send('40');
  await waitFor(() => raw.messages.some((m) => m.startsWith('40')), 'the Socket.IO CONNECT reply');
  raw.ws.send(bigPublish(1));
  t.is(await raw.closed, 1009);
  await waitFor(() => server.connections() === 0, 'connections() back to 0');
  await assertServes(t, core, client('websocket'));
});

test('polling: a POST over maxPayloadBytes gets 413 and its session is closed', async (t) => {
  const { server, client } = await serveSio(t, core, limits);
  const raw = await rawPolling(server.url);
  t.is(server.connections(), 1);
  t.is(await raw.post(bigPublish(1)), 413);
  await waitFor(() => server.connections() === 0, 'the session closed');
  t.is((await raw.get()).status, 400, 'the session id is gone');
  await assertServes(t, core, client('polling'));
});

for (const transport of TRANSPORTS) {
  test(`${transport}: a client publishing too big a message loses its connection; the server serves on`, async (t) => {
    const { server, client } = await serveSio(t, core, limits);
    const cl = client(transport);
    await cl.connect();
    const error = await t.throwsAsync(cl.publish(freshTopic(), post(1, 4000)));
    t.is((error as { code?: string }).code, 'UNAVAILABLE', String(error?.message));
    await waitFor(() => server.connections() === 0, 'connections() back to 0');
    // The same client redials for its next call; the server is unharmed.
    const event = await cl.publish(freshTopic(), post(2, 10));
    t.is(event.seq, 1n);
    await assertServes(t, core, client(transport));
  });

  test(`${transport}: more subscriptions than allowed → RESOURCE_EXHAUSTED, then the server disconnects`, async (t) => {
    const { server, client } = await serveSio(t, core, limits);
    const cl = client(transport);
    const ok = [cl.subscribe(freshTopic()), cl.subscribe(freshTopic())];
    await Promise.all(ok.map((s) => s.ready));
    const sessions = server.connections();
    const third = cl.subscribe(freshTopic());
    const error = await t.throwsAsync(third.ready);
    t.is((error as { code?: string }).code, 'RESOURCE_EXHAUSTED');
    t.regex(String(error?.message), /expected at most 2 per connection/);
    // The two accepted subscriptions resume on a new connection.
    await waitFor(() => ok.every((s) => s.reconnects >= 1), 'the accepted subscriptions to reconnect');
    t.is(sessions, 1);
    for (const s of ok) core.topics.publish(s.topic, post(1));
    for (const s of ok) t.deepEqual(seqs(await take(s, 1)), [1n]);
  });
}

test('a connection with no subscription and no message is disconnected after idleTimeoutMs', async (t) => {
  const { server, client } = await serveSio(t, core, { idleTimeoutMs: 150 });
  const raw = await rawEngineWs(server.url);
  raw.ws.send('40');
  await raw.closed;
  t.true(raw.messages.includes('41'), `a Socket.IO disconnect first: ${JSON.stringify(raw.messages)}`);
  await waitFor(() => server.connections() === 0, 'connections() back to 0');
  // A subscribed connection is not idle.
  const topic = freshTopic();
  const sub = client('websocket').subscribe(topic);
  await sub.ready;
  await new Promise((resolve) => setTimeout(resolve, 400));
  core.topics.publish(topic, post(1));
  t.deepEqual(seqs(await take(sub, 1)), [1n]);
  t.is(sub.reconnects, 0);
});

test('close() sends every client a Socket.IO disconnect, then stops', async (t) => {
  const { server } = await serveSio(t, core);
  const raws = await Promise.all([rawEngineWs(server.url), rawEngineWs(server.url)]);
  for (const raw of raws) raw.ws.send('40');
  await waitFor(() => raws.every((r) => r.messages.some((m) => m.startsWith('40'))), 'both connected');
  await server.close();
  for (const raw of raws) {
    await raw.closed;
    t.true(raw.messages.includes('41'), JSON.stringify(raw.messages));
  }
  t.is(server.connections(), 0);
});
