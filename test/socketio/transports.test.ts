import test from 'ava';
import type { Gap } from '../../clients/realtime/index.js';
import { createRealtimeClient } from '../../clients/socketio/index.js';
import { generateTls } from '../../lib/tls.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { startSocketIo } from '../../services/socketio/index.js';
import { post, range, seqs, take, waitFor } from '../realtime/helpers.js';
import { serveSio, TRANSPORTS } from './fixtures.js';

/** The two Socket.IO variants really ride on the engine.io transport they name, and resume on it. */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
let topicNo = 0;
const freshTopic = (): string => `sio-transport-${++topicNo}`;

for (const transport of TRANSPORTS) {
  const other = transport === 'websocket' ? 'polling' : 'websocket';

  test(`${transport}: the server sees the session on ${transport}, never upgraded`, async (t) => {
    const { server, client } = await serveSio(t, core);
    const topic = freshTopic();
    const cl = client(transport);
    const sub = cl.subscribe(topic);
    await sub.ready;
    t.deepEqual(server.sessionsByTransport(), { [transport]: 1, [other]: 0 } as Record<string, number>);
    for (let i = 1; i <= 20; i++) core.topics.publish(topic, post(i));
    t.deepEqual(seqs(await take(sub, 20)), range(1, 20));
    // engine.io would offer an upgrade at once; a client that asked for one transport keeps it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.deepEqual(server.sessionsByTransport(), { [transport]: 1, [other]: 0 } as Record<string, number>);
    await cl.close();
    await waitFor(() => server.connections() === 0, 'the session to end');
    t.deepEqual(server.sessionsByTransport(), { websocket: 0, polling: 0 });
  });

  test(`${transport}: after dropConnections the subscription resumes on ${transport} without loss`, async (t) => {
    const { server, client } = await serveSio(t, core);
    const topic = freshTopic();
    const gaps: Gap[] = [];
    const sub = client(transport).subscribe(topic, { onGap: (g) => gaps.push(g) });
    await sub.ready;
    for (let i = 1; i <= 10; i++) core.topics.publish(topic, post(i));
    t.deepEqual(seqs(await take(sub, 10)), range(1, 10));
    t.true(server.dropConnections() > 0, 'cut the TCP connections');
    t.is(server.connections(), 0, 'the server forgot the session with its sockets');
    // Published while the client is away: resume must replay them from the history.
    for (let i = 11; i <= 30; i++) core.topics.publish(topic, post(i));
    t.deepEqual(seqs(await take(sub, 20)), range(11, 30), 'no loss, no duplicate, in order');
    t.deepEqual(gaps, []);
    t.true(sub.reconnects >= 1, `reconnected (${sub.reconnects} time(s))`);
    await waitFor(() => server.sessionsByTransport()[transport] === 1, `a new ${transport} session`);
    t.is(server.sessionsByTransport()[other], 0);
  });
}

for (const transport of TRANSPORTS) {
  test(`${transport} over h1s trusts the run's CA and nothing else`, async (t) => {
    const tls = await generateTls();
    const server = await startSocketIo(core, { host: '127.0.0.1', port: 0, transport: 'h1s', tls });
    const options = { url: server.url, transport: 'h1s', encoding: 'json', socketio: { transport } } as const;
    const trusting = createRealtimeClient({ ...options, caPem: tls.caPem });
    const stranger = createRealtimeClient(options);
    t.teardown(async () => {
      await Promise.all([trusting.close(), stranger.close()]);
      await server.close();
    });
    await trusting.connect();
    t.is((await trusting.publish(freshTopic(), post(1))).seq, 1n);
    const error = await t.throwsAsync(stranger.connect());
    t.is((error as { code?: string }).code, 'UNAVAILABLE');
    t.is(server.sessionsByTransport()[transport], 1, 'only the client trusting the CA got a session');
  });
}
