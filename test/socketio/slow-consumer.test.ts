import test from 'ava';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { post, waitFor } from '../realtime/helpers.js';
import { assertServes, rawEngineWs, rawPolling, serveSio } from './fixtures.js';

/**
 * A client that stops taking what it is sent: over WebSocket it stops
 * reading its socket; over polling it stops polling. Either way its backlog
 * passes maxBufferedBytes, does not drain within slowConsumerMs, and only its
 * session is cut — subscription freed, server serving.
 */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
const limits = { maxBufferedBytes: 64 * 1024, slowConsumerMs: 200 };

test('websocket: a client that stops reading is cut as a slow consumer', async (t) => {
  const { server, client } = await serveSio(t, core, limits);
  const topic = 'sio-slow-ws';
  const raw = await rawEngineWs(server.url);
  raw.ws.send('40');
  await waitFor(() => raw.messages.some((m) => m.startsWith('40')), 'the Socket.IO CONNECT reply');
  raw.ws.send(`420["subscribe",{"topic":"${topic}"}]`);
  await waitFor(() => core.topics.subscriberCount(topic) === 1, 'the subscription');
  raw.ws.pause();
  const sent = await publishUntil(topic, () => server.connections() === 0);
  t.log(`cut after ${sent} events of ~2 KB`);
  t.is(core.topics.subscriberCount(topic), 0);
  raw.ws.terminate();
  await assertServes(t, core, client('websocket'));
});

test('polling: a client that stops polling is cut as a slow consumer', async (t) => {
  const { server, client } = await serveSio(t, core, limits);
  const topic = 'sio-slow-polling';
  const raw = await rawPolling(server.url);
  t.is(await raw.post(`420["subscribe",{"topic":"${topic}"}]`), 200);
  await waitFor(() => core.topics.subscriberCount(topic) === 1, 'the subscription');
  // No GET from here on: everything published queues in the session.
  const sent = await publishUntil(topic, () => server.connections() === 0);
  t.log(`cut after ${sent} events of ~2 KB`);
  t.is(core.topics.subscriberCount(topic), 0);
  t.is((await raw.get()).status, 400, 'the session is gone');
  await assertServes(t, core, client('polling'));
});

/** Publishes ~2 KB events in batches, yielding to the event loop, until `done()`; returns how many. */
async function publishUntil(topic: string, done: () => boolean): Promise<number> {
  let sent = 0;
  while (!done()) {
    if (sent > 200_000) throw new Error('publishUntil: the slow consumer was never cut');
    for (let i = 0; i < 50; i++) core.topics.publish(topic, post(++sent, 2000));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return sent;
}
