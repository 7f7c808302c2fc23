import { spawn } from 'node:child_process';
import test from 'ava';
import type { RealtimeClient } from '../../clients/realtime/index.js';
import { CLOSE } from '../../lib/push-streams/codes.js';
import { encodeStreamFrame, LENGTH_BYTES } from '../../lib/push-streams/frames.js';
import type { PushClientConnection } from '../../lib/push-streams/types.js';
import { type GeneratedTls, generateTls } from '../../lib/tls.js';
import { findRealtime } from '../../protocols/realtime-registry.js';
import type { ProtocolId } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import type { RealtimeLimits, RealtimeServerHandle } from '../../services/realtime/index.js';
import { post, range, seqs, take, waitFor } from '../realtime/helpers.js';

/**
 * The tests every stream push protocol (WebTransport, raw QUIC) must pass
 * beyond the registry-driven realtime suites: volume on one session (the
 * flow-control replenish trap), a vanished client, raw garbage on a stream.
 * `dial` opens a bare session so a test can write bytes no client would.
 */
export function streamPushSuite(
  protocol: ProtocolId,
  dial: (url: string, caPem: string) => Promise<PushClientConnection>,
): void {
  const entry = findRealtime(protocol);
  if (!entry) throw new Error(`suite: expected a realtime registry entry for ${protocol}, got none`);
  const transport = entry.transports[0];
  if (!transport) throw new Error(`suite: expected a transport for ${protocol}, got none`);
  const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
  let topicNo = 0;
  const freshTopic = (): string => `${protocol}-suite-${++topicNo}`;

  let tls: Promise<GeneratedTls> | undefined;

  /** A server on port 0 and a client factory; clients, then the server, closed at teardown. */
  async function serve(
    t: { teardown(fn: () => Promise<void>): void },
    limits: Partial<RealtimeLimits> = {},
  ): Promise<{ server: RealtimeServerHandle; client: () => RealtimeClient; caPem: string }> {
    tls ??= generateTls();
    const material = await tls;
    const server = await entry!.start(core, {
      host: '127.0.0.1',
      port: 0,
      transport: transport!,
      tls: material,
      limits,
    });
    const clients: RealtimeClient[] = [];
    t.teardown(async () => {
      await Promise.all(clients.map((cl) => cl.close()));
      await server.close();
    });
    const client = (): RealtimeClient => {
      const made = entry!.createClient({
        url: server.url,
        transport: transport!,
        encoding: 'proto',
        caPem: material.caPem,
      });
      clients.push(made);
      return made;
    };
    return { server, client, caPem: material.caPem };
  }

  async function assertServes(
    t: { deepEqual(a: unknown, b: unknown): void },
    client: RealtimeClient,
  ): Promise<void> {
    const topic = freshTopic();
    const sub = client.subscribe(topic);
    await sub.ready;
    for (let i = 1; i <= 3; i++) await client.publish(topic, post(i));
    t.deepEqual(seqs(await take(sub, 3)), range(1, 3));
    sub.close();
  }

  test(`${protocol}: more than 10 MB each way over one session never stalls (flow-control credit is replenished)`, async (t) => {
    const { server, client } = await serve(t);
    const cl = client();
    const topic = freshTopic();
    const sub = cl.subscribe(topic);
    await sub.ready;
    // Client → server: 110 publishes of ~100 KB on the session's publish stream (11 MB);
    // server → client: the same 11 MB again as events on the subscription stream.
    const body = 100_000;
    const n = 110;
    const received = take(sub, n, 60_000);
    for (let i = 1; i <= n; i++) await cl.publish(topic, post(i, body));
    const events = await received;
    t.deepEqual(seqs(events), range(1, n));
    t.true(events.every((e) => e.payload.case === 'post' && e.payload.value.body.length === body));
    t.is(server.connections(), 1, 'one session carried everything');
    // Over QUIC the client counts its UDP payload bytes itself (no tcp_info); over TCP the kernel does.
    const wire = cl.wireCounters?.();
    if (transport === 'h3') {
      t.true((wire?.bytesReceived ?? 0) > n * body, `UDP bytes received: ${wire?.bytesReceived}`);
      t.true((wire?.bytesSent ?? 0) > n * body, `UDP bytes sent: ${wire?.bytesSent}`);
    } else {
      t.is(wire, undefined);
    }
    t.log(`${((n * body * 2) / 1e6).toFixed(1)} MB carried over one session`);
  });

  test(`${protocol}: a client that vanishes (SIGKILL) frees its session and subscription`, async (t) => {
    // A short heartbeat: over QUIC a killed peer sends nothing, and only the idle timeout tells.
    const limits: Partial<RealtimeLimits> = { heartbeatMs: 200 };
    const { server, client, caPem } = await serve(t, limits);
    const topic = freshTopic();
    const child = spawn(
      process.execPath,
      [
        '--import=tsx',
        'test/webtransport/fixtures/vanishing-client.ts',
        protocol,
        transport,
        server.url,
        topic,
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    t.teardown(() => child.kill('SIGKILL'));
    child.stdin.end(caPem);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`vanishing client: expected "ready", got exit ${code}`)));
    });
    t.is(server.connections(), 1);
    t.is(core.topics.subscriberCount(topic), 1);
    for (let i = 1; i <= 3; i++) core.topics.publish(topic, post(i));
    child.kill('SIGKILL');
    await waitFor(
      () => server.connections() === 0 && core.topics.subscriberCount(topic) === 0,
      'every resource freed',
      10_000,
    );
    await assertServes(t, client());
  });

  test(`${protocol}: a subscriber that stops reading is closed with 1013 (slow consumer)`, async (t) => {
    const limits = { maxBufferedBytes: 64 * 1024, slowConsumerMs: 200 };
    const { server, client, caPem } = await serve(t, limits);
    const topic = freshTopic();
    const session = await dial(server.url, caPem);
    t.teardown(() => session.close(CLOSE.normal, 'test done'));
    // Subscribe on a raw stream whose received bytes are never read: flow control stops the server.
    const stream = await session.openStream();
    stream.send(encodeStreamFrame({ type: 'subscribe', id: 1, topic }));
    await waitFor(() => core.topics.subscriberCount(topic) === 1, 'the subscription');
    let sent = 0;
    while (server.connections() > 0) {
      if (sent > 100_000) return t.fail('expected the slow consumer to be closed, it never was');
      for (let i = 0; i < 100; i++) core.topics.publish(topic, post(++sent, 2000));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    t.is((await session.closed).code, CLOSE.slowConsumer);
    t.is(core.topics.subscriberCount(topic), 0);
    t.log(`closed after ${sent} events of ~2 KB`);
    await assertServes(t, client());
  });

  test(`${protocol}: more subscriptions than allowed close the session with 1008`, async (t) => {
    const { server, caPem } = await serve(t, { maxSubscriptionsPerConnection: 2 });
    const session = await dial(server.url, caPem);
    t.teardown(() => session.close(CLOSE.normal, 'test done'));
    const topics = [1, 2, 3].map((id) => `${freshTopic()}-${id}`);
    for (const [i, topic] of topics.entries()) {
      const stream = await session.openStream();
      stream.send(encodeStreamFrame({ type: 'subscribe', id: i + 1, topic }));
      // Streams are independent: wait for each to be served so the third arrives last.
      if (i < 2) await waitFor(() => core.topics.subscriberCount(topic) === 1, `subscription ${i + 1}`);
    }
    t.is((await session.closed).code, CLOSE.policy);
    await waitFor(
      () => server.connections() === 0 && topics.every((topic) => core.topics.subscriberCount(topic) === 0),
      'every resource freed',
    );
  });

  test(`${protocol}: a session with no stream is closed with 1000 after idleTimeoutMs`, async (t) => {
    const { server, caPem } = await serve(t, { idleTimeoutMs: 100 });
    const session = await dial(server.url, caPem);
    t.teardown(() => session.close(CLOSE.normal, 'test done'));
    t.is((await session.closed).code, CLOSE.normal);
    await waitFor(() => server.connections() === 0, 'connections() back to 0');
  });

  test(`${protocol}: server close() sends 1001 (going away) to every session`, async (t) => {
    const { server, caPem } = await serve(t);
    const sessions = await Promise.all([1, 2, 3].map(() => dial(server.url, caPem)));
    const codes = Promise.all(sessions.map(async (s) => (await s.closed).code));
    await server.close();
    t.deepEqual(await codes, [CLOSE.goingAway, CLOSE.goingAway, CLOSE.goingAway]);
  });

  const garbage: readonly { name: string; bytes: () => Uint8Array; code: number }[] = [
    {
      name: 'an unknown frame type',
      bytes: () => Uint8Array.of(0, 0, 0, 3, 0x7e, 1, 2),
      code: CLOSE.invalidFrame,
    },
    { name: 'a frame of length 0', bytes: () => Uint8Array.of(0, 0, 0, 0), code: CLOSE.invalidFrame },
    {
      name: 'a subscribe whose protobuf body is truncated',
      bytes: () => Uint8Array.of(0, 0, 0, 3, 0x01, 0x12, 0x40),
      code: CLOSE.invalidFrame,
    },
    {
      name: 'a server frame (event) from the client',
      bytes: () => Uint8Array.of(0, 0, 0, 1, 0x14),
      code: CLOSE.invalidFrame,
    },
    {
      name: 'a length prefix over maxPayloadBytes',
      bytes: () => {
        const out = new Uint8Array(LENGTH_BYTES + 16);
        new DataView(out.buffer).setUint32(0, 64 * 1024 * 1024);
        return out;
      },
      code: CLOSE.tooBig,
    },
  ];
  for (const g of garbage) {
    test(`${protocol}: ${g.name} closes that session with ${g.code}; the server keeps serving`, async (t) => {
      const { server, client, caPem } = await serve(t, { maxPayloadBytes: 64 * 1024 });
      const session = await dial(server.url, caPem);
      t.teardown(() => session.close(CLOSE.normal, 'test done'));
      const stream = await session.openStream();
      stream.send(g.bytes());
      const info = await session.closed;
      t.is(info.code, g.code);
      await waitFor(() => server.connections() === 0, 'connections() back to 0');
      await assertServes(t, client());
    });
  }
}
