import net from 'node:net';
import test from 'ava';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { CASES, post, range, seqs, serve, take, waitFor } from './helpers.js';
import { frame, OP, rawWebSocket } from './raw-ws.js';

/** Malformed input, slow and vanishing clients: each costs its own connection only, never the server. */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
const ws = CASES.find((c) => c.protocol === 'websocket' && c.encoding === 'json' && c.transport === 'h1')!;
const sse = CASES.find((c) => c.protocol === 'sse' && c.transport === 'h1')!;
const poll = CASES.find((c) => c.protocol === 'long-poll' && c.transport === 'h1')!;
const limits = {
  maxPayloadBytes: 1024,
  maxSubscriptionsPerConnection: 2,
  maxBufferedBytes: 64 * 1024,
  slowConsumerMs: 200,
};
let topicNo = 0;
const freshTopic = (): string => `abuse-${++topicNo}`;

const violations: readonly { name: string; bytes: () => Buffer; code: number }[] = [
  {
    name: 'a reserved bit set (RSV1, no extension)',
    bytes: () => frame({ opcode: OP.text, rsv: 0b100, payload: '{}' }),
    code: 1002,
  },
  { name: 'an unknown opcode (0x3)', bytes: () => frame({ opcode: 0x3, payload: 'x' }), code: 1002 },
  {
    name: 'an unmasked client frame',
    bytes: () => frame({ opcode: OP.text, payload: '{}', masked: false }),
    code: 1002,
  },
  { name: 'a fragmented control frame', bytes: () => frame({ opcode: OP.ping, fin: false }), code: 1002 },
  {
    name: 'invalid UTF-8 in a text frame',
    bytes: () => frame({ opcode: OP.text, payload: Uint8Array.of(0xc3, 0x28) }),
    code: 1007,
  },
  {
    name: 'a message over maxPayload',
    bytes: () => frame({ opcode: OP.binary, payload: new Uint8Array(2048) }),
    code: 1009,
  },
  {
    name: 'a text frame that is not JSON',
    bytes: () => frame({ opcode: OP.text, payload: 'hello' }),
    code: 1007,
  },
  {
    name: 'a binary frame of unknown type',
    bytes: () => frame({ opcode: OP.binary, payload: Uint8Array.of(0x7e, 1, 2) }),
    code: 1007,
  },
];

for (const v of violations) {
  test(`websocket: ${v.name} closes that connection with ${v.code}; the server keeps serving`, async (t) => {
    const { server, client } = await serve(t, ws, core, limits);
    const raw = await rawWebSocket(server.url);
    raw.socket.write(v.bytes());
    t.is(await raw.closeCode, v.code);
    raw.socket.destroy();
    await waitFor(() => server.connections() === 0, 'connections() back to 0');
    await assertServes(t, client());
  });
}

test('websocket: more subscriptions than allowed → error frame, then close 1008', async (t) => {
  const { server } = await serve(t, ws, core, limits);
  const raw = await rawWebSocket(server.url);
  const replies: string[] = [];
  raw.socket.on('data', (chunk: Buffer) => replies.push(chunk.toString('latin1')));
  for (let id = 1; id <= 3; id++) {
    raw.socket.write(
      frame({ opcode: OP.text, payload: JSON.stringify({ type: 'subscribe', id, topic: `t${id}` }) }),
    );
  }
  t.is(await raw.closeCode, 1008);
  raw.socket.destroy();
  t.regex(replies.join(''), /"type":"error","id":3,"code":"RESOURCE_EXHAUSTED"/);
  await waitFor(
    () => server.connections() === 0 && core.topics.subscriberCount('t1') === 0,
    'every resource freed',
  );
});

test('websocket: a client that stops reading is dropped as a slow consumer', async (t) => {
  const { server, client } = await serve(t, ws, core, limits);
  const topic = freshTopic();
  const raw = await rawWebSocket(server.url);
  raw.socket.write(frame({ opcode: OP.text, payload: JSON.stringify({ type: 'subscribe', id: 1, topic }) }));
  await waitFor(() => core.topics.subscriberCount(topic) === 1, 'the subscription');
  raw.socket.pause();
  const sent = await publishUntil(topic, () => server.connections() === 0);
  t.log(`dropped after ${sent} events of ~2 KB`);
  t.is(core.topics.subscriberCount(topic), 0);
  raw.socket.destroy();
  await assertServes(t, client());
});

test('sse: a client that stops reading is dropped as a slow consumer', async (t) => {
  const { server, client } = await serve(t, sse, core, limits);
  const topic = freshTopic();
  const socket = rawGet(server.url, `/events/${topic}`);
  await waitFor(() => core.topics.subscriberCount(topic) === 1, 'the subscription');
  socket.pause();
  const sent = await publishUntil(topic, () => server.connections() === 0);
  t.log(`dropped after ${sent} events of ~2 KB`);
  t.is(core.topics.subscriberCount(topic), 0);
  socket.destroy();
  await assertServes(t, client());
});

for (const c of [ws, sse, poll]) {
  test(`${c.protocol}: a client that vanishes mid-stream frees its connection and subscription`, async (t) => {
    const { server, client } = await serve(t, c, core, limits);
    const topic = freshTopic();
    let socket: net.Socket;
    if (c.protocol === 'websocket') {
      socket = (await rawWebSocket(server.url)).socket;
      socket.write(frame({ opcode: OP.text, payload: JSON.stringify({ type: 'subscribe', id: 1, topic }) }));
    } else {
      socket = rawGet(server.url, c.protocol === 'sse' ? `/events/${topic}` : `/poll/${topic}?timeout=10000`);
    }
    await waitFor(
      () => core.topics.subscriberCount(topic) === 1 && server.connections() === 1,
      'the subscription',
    );
    for (let i = 0; i < 3; i++) core.topics.publish(topic, post(i));
    socket.destroy();
    await waitFor(
      () => server.connections() === 0 && core.topics.subscriberCount(topic) === 0,
      'every resource freed',
    );
    await assertServes(t, client());
  });
}

/** A GET written by hand on a raw socket, so the test controls reading (pause) and vanishing (destroy). */
function rawGet(url: string, path: string): net.Socket {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => {});
  socket.on('data', () => {});
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
  return socket;
}

/** Publishes ~2 KB events in batches, yielding to the event loop, until `done()`; returns how many. */
async function publishUntil(topic: string, done: () => boolean): Promise<number> {
  let sent = 0;
  while (!done()) {
    if (sent > 200_000) throw new Error('publishUntil: the slow consumer was never dropped');
    for (let i = 0; i < 200; i++) core.topics.publish(topic, post(++sent, 2000));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return sent;
}

/** The server still works: a fresh client subscribes and receives. */
async function assertServes(
  t: { deepEqual: (a: unknown, b: unknown) => void },
  fresh: ReturnType<Parameters<typeof serve>[1]['createClient']>,
) {
  const topic = freshTopic();
  const sub = fresh.subscribe(topic);
  await sub.ready;
  for (let i = 1; i <= 3; i++) core.topics.publish(topic, post(i));
  t.deepEqual(seqs(await take(sub, 3)), range(1, 3));
  sub.close();
}
