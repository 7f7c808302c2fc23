import http2 from 'node:http2';
import { create } from '@bufbuild/protobuf';
import test, { type ExecutionContext } from 'ava';
import type { Gap, RealtimeClient, RealtimeClientOptions } from '../../clients/realtime/index.js';
import { SHUTDOWN_GRACE_MS } from '../../lib/node-http.js';
import { generateTls } from '../../lib/tls.js';
import { findRealtime } from '../../protocols/realtime-registry.js';
import { findProtocol } from '../../protocols/registry.js';
import { isTlsTransport, type TransportId } from '../../protocols/types.js';
import { ChatMessageSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import type { RealtimeServerHandle } from '../../services/realtime/index.js';
import { post, range, seqs, take, waitFor } from '../realtime/helpers.js';

/**
 * The Connect server `npm run services` and the bench start (the
 * request/response registry's `connect`) is also the push server their
 * connections and reconnect-storm cells count and cut: its handle reports
 * open Subscribe/Chat calls and cuts every socket on demand, and cut
 * clients resume with after_seq without loss.
 */
const rpc = findProtocol('connect');
const push = findRealtime('connect');
const CORE = { seed: 1, preset: DATASET_PRESETS.small };
const reconnect = { initialDelayMs: 20, maxDelayMs: 200, seed: 3 };
const tlsMaterial = generateTls();

/** The push-capable Connect handle for `transport`, plus a client factory; all closed at teardown. */
async function serve(t: ExecutionContext, core: FeedCore, transport: TransportId) {
  if (!rpc || !push) throw new Error('expected connect in both registries, got none');
  const tls = isTlsTransport(transport) ? await tlsMaterial : undefined;
  const handle = await rpc.start(core, { host: '127.0.0.1', port: 0, transport, ...(tls ? { tls } : {}) });
  const clients: RealtimeClient[] = [];
  t.teardown(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await handle.close();
  });
  if (!('connections' in handle && 'dropConnections' in handle)) {
    throw new Error(
      `connect/${transport}: expected a handle with connections() and dropConnections(), got none`,
    );
  }
  const server = handle as RealtimeServerHandle;
  const client = (options: Partial<RealtimeClientOptions> = {}): RealtimeClient => {
    const made = push.createClient({
      url: server.url,
      transport,
      encoding: push.encodings[0] ?? 'proto',
      ...(tls ? { caPem: tls.caPem } : {}),
      ...options,
    });
    clients.push(made);
    return made;
  };
  return { server, client };
}

for (const transport of ['h1', 'h2c', 'h2'] as const) {
  test(`connect/${transport}: connections() counts held subscriptions and falls back to 0 when clients close`, async (t) => {
    const core = new FeedCore(CORE);
    const { server, client } = await serve(t, core, transport);
    t.is(server.connections(), 0);
    const clients = Array.from({ length: 5 }, () => client());
    const subs = clients.map((c) => c.subscribe('held'));
    await Promise.all(subs.map((s) => s.ready));
    t.is(server.connections(), 5);
    core.topics.publish('held', post(1));
    for (const sub of subs) t.deepEqual(seqs(await take(sub, 1)), [1n]);
    await Promise.all(clients.slice(0, 2).map((c) => c.close()));
    await waitFor(() => server.connections() === 3, 'two closed clients freed');
    await Promise.all(clients.map((c) => c.close()));
    await waitFor(
      () => server.connections() === 0 && core.topics.subscriberCount('held') === 0,
      'connections() and the hub back to 0',
    );
  });

  test(`connect/${transport}: dropConnections() cuts every socket; subscribers reconnect and resume without loss`, async (t) => {
    const core = new FeedCore(CORE);
    const { server, client } = await serve(t, core, transport);
    const gaps: Gap[] = [];
    const subs = Array.from({ length: 3 }, () =>
      client({ reconnect }).subscribe('storm', { onGap: (g) => gaps.push(g) }),
    );
    await Promise.all(subs.map((s) => s.ready));
    let published = 0;
    const publishing = (async () => {
      while (published < 200) {
        core.topics.publish('storm', post(++published));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const firsts = await Promise.all(subs.map((s) => take(s, 40)));
    t.true(server.dropConnections() >= 3, 'one socket per client cut at least');
    const rests = await Promise.all(subs.map((s) => take(s, 160)));
    await publishing;
    for (const [i, sub] of subs.entries()) {
      t.deepEqual(seqs([...(firsts[i] ?? []), ...(rests[i] ?? [])]), range(1, 200), 'in order, no loss');
      t.true(sub.reconnects >= 1, `subscriber ${i} reconnected (${sub.reconnects})`);
    }
    t.deepEqual(gaps, []);
    await waitFor(() => server.connections() === 3, 'the three resumed subscriptions counted again');
  });
}

test('connect/h2c: an open Chat counts as a connection until it ends', async (t) => {
  const core = new FeedCore(CORE);
  const { server, client } = await serve(t, core, 'h2c');
  const chat = client();
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  async function* messages() {
    yield create(ChatMessageSchema, { room: 'r', senderId: 'u', seq: 1n, text: 'hi' });
    await gate;
  }
  const echoes: bigint[] = [];
  const echoing = (async () => {
    for await (const m of chat.echo?.(messages()) ?? []) echoes.push(m.seq);
  })();
  await waitFor(() => echoes.length === 1, 'the first echo');
  t.is(server.connections(), 1);
  release();
  await echoing;
  await waitFor(() => server.connections() === 0, 'the ended chat freed');
  t.deepEqual(echoes, [1n]);
});

test('connect/h2c: close() ends open subscriptions and chats first instead of waiting out the drain grace', async (t) => {
  const core = new FeedCore(CORE);
  const { server, client } = await serve(t, core, 'h2c');
  const sub = client({ reconnect }).subscribe('closing');
  await sub.ready;
  // A chat whose client never sends its next message: only the server can end it.
  const never = new Promise<void>(() => {});
  async function* messages() {
    yield create(ChatMessageSchema, { room: 'r', senderId: 'u', seq: 1n, text: 'hi' });
    await never;
  }
  let echoed = 0;
  const chatting = (async () => {
    for await (const _ of client().echo?.(messages()) ?? []) echoed++;
  })();
  await waitFor(() => echoed === 1, 'the first echo');
  t.is(server.connections(), 2);
  const started = Date.now();
  await server.close();
  t.true(Date.now() - started < SHUTDOWN_GRACE_MS, `closed in ${Date.now() - started} ms`);
  await t.throwsAsync(chatting, { message: /server shutting down|unavailable/i });
  t.is(server.connections(), 0);
  t.is(core.topics.subscriberCount('closing'), 0);
});

for (const transport of ['h2c', 'h2'] as const) {
  test(`connect/${transport}: dropConnections() is a network failure: no GOAWAY reaches the client`, async (t) => {
    const core = new FeedCore(CORE);
    const { server } = await serve(t, core, transport);
    const tls = transport === 'h2' ? await tlsMaterial : undefined;
    const session = http2.connect(server.url, tls ? { ca: tls.caPem } : {});
    session.on('error', () => {});
    const goaways: number[] = [];
    session.on('goaway', (code: number) => goaways.push(code));
    // One answered request, so the server has processed a stream on this session.
    const probe = session.request({ ':method': 'OPTIONS', ':path': '/' });
    probe.resume();
    await new Promise<void>((resolve, reject) => {
      probe.once('response', () => resolve());
      probe.once('error', reject);
    });
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    t.true(server.dropConnections() >= 1);
    await closed;
    t.deepEqual(
      goaways,
      [],
      'a cut connection says nothing (a GOAWAY would let clients end streams cleanly)',
    );
  });
}
