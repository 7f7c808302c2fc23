import test from 'ava';
import { createRealtimeClient, dialQuic } from '../../clients/quic/index.js';
import { CLOSE } from '../../lib/push-streams/codes.js';
import { CLOSING_TYPE, encodeStreamFrame } from '../../lib/push-streams/frames.js';
import { type GeneratedTls, generateTls } from '../../lib/tls.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { startQuic } from '../../services/quic/index.js';
import type { RealtimeServerHandle } from '../../services/realtime/index.js';
import { post, range, seqs, take, waitFor } from '../realtime/helpers.js';

/**
 * A raw QUIC client's close frees its server session before close() resolves:
 * the client announces it (`closing`) and waits for the server's FIN, sent
 * after the server freed the session. Without it the server learnt of the
 * close only when quiche's draining period (3 × PTO) ended — seconds late
 * under load (see clients/quic/client.ts).
 */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
let tls: Promise<GeneratedTls> | undefined;

async function serve(t: { teardown(fn: () => Promise<void>): void }): Promise<{
  server: RealtimeServerHandle;
  caPem: string;
}> {
  tls ??= generateTls();
  const material = await tls;
  const server = await startQuic(core, { host: '127.0.0.1', port: 0, transport: 'h3', tls: material });
  t.teardown(() => server.close());
  return { server, caPem: material.caPem };
}

for (const delivery of ['streams', 'datagrams'] as const) {
  test(`quic/${delivery}: every client's close() resolves after the server freed its session and subscription`, async (t) => {
    const { server, caPem } = await serve(t);
    const topic = `quic-close-${delivery}`;
    const clients = Array.from({ length: 10 }, () =>
      createRealtimeClient({ url: server.url, transport: 'h3', encoding: 'proto', caPem, delivery }),
    );
    t.teardown(async () => {
      await Promise.all(clients.map((cl) => cl.close()));
    });
    const subs = clients.map((cl) => cl.subscribe(topic));
    await Promise.all(subs.map((s) => s.ready));
    core.topics.publish(topic, post(1));
    for (const events of await Promise.all(subs.map((s) => take(s, 1))))
      t.deepEqual(seqs(events), range(1, 1));
    t.is(server.connections(), 10);
    await Promise.all(clients.map((cl) => cl.close()));
    // No wait: the server answered each announcement only once it had freed that session.
    t.is(server.connections(), 0);
    t.is(core.topics.subscriberCount(topic), 0);
  });
}

const misplaced = [
  {
    name: 'a closing frame after a subscribe on the same stream',
    bytes: () => {
      const subscribe = encodeStreamFrame({ type: 'subscribe', id: 1, topic: 'quic-close-misplaced' });
      const closing = encodeStreamFrame({ type: 'closing' });
      const out = new Uint8Array(subscribe.byteLength + closing.byteLength);
      out.set(subscribe);
      out.set(closing, subscribe.byteLength);
      return out;
    },
  },
  { name: 'a closing frame with a body', bytes: () => Uint8Array.of(0, 0, 0, 2, CLOSING_TYPE, 1) },
];
for (const m of misplaced) {
  test(`quic: ${m.name} closes the session with 1007; the server keeps serving`, async (t) => {
    const { server, caPem } = await serve(t);
    const session = await dialQuic({ url: server.url, caPem, transport: 'h3', encoding: 'proto' });
    t.teardown(() => session.close(CLOSE.normal, 'test done'));
    const stream = await session.openStream();
    stream.send(m.bytes());
    t.is((await session.closed).code, CLOSE.invalidFrame);
    await waitFor(() => server.connections() === 0, 'connections() back to 0');
    const cl = createRealtimeClient({ url: server.url, transport: 'h3', encoding: 'proto', caPem });
    t.teardown(() => cl.close());
    const topic = `quic-close-after-${m.name}`;
    const sub = cl.subscribe(topic);
    await sub.ready;
    await cl.publish(topic, post(1));
    t.deepEqual(seqs(await take(sub, 1)), [1n]);
  });
}
