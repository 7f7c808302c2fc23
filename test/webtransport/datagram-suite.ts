import test, { type ExecutionContext } from 'ava';
import type { Gap, RealtimeClient } from '../../clients/realtime/index.js';
import { StreamPushClient } from '../../lib/push-streams/client.js';
import { subscriptionFrames } from '../../lib/push-streams/client-streams.js';
import { CLOSE } from '../../lib/push-streams/codes.js';
import { decodeDatagram } from '../../lib/push-streams/datagrams.js';
import { encodeStreamFrame, LENGTH_BYTES, type SentFrame } from '../../lib/push-streams/frames.js';
import type { PushClientConnection, PushStream } from '../../lib/push-streams/types.js';
import { type GeneratedTls, generateTls } from '../../lib/tls.js';
import { findRealtime } from '../../protocols/realtime-registry.js';
import type { ProtocolId } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import type { RealtimeServerHandle } from '../../services/realtime/index.js';
import { BINARY_TYPES } from '../../services/websocket/binary-frames.js';
import type { ServerFrame } from '../../services/websocket/frame-types.js';
import { post, range, seqs, take, waitFor } from '../realtime/helpers.js';

/**
 * Datagram delivery (`delivery: 'datagrams'`) of a stream push protocol,
 * beyond what the registry-driven suites check for every variant: that the
 * events really travel as datagrams, that flows demultiplex, that an event
 * too large for a datagram comes on the stream in its place, and how the
 * server treats a bad `delivery` or a flow id already in use.
 * `dial(url, caPem, datagrams)` opens a bare session.
 */
export function datagramSuite(
  protocol: ProtocolId,
  dial: (url: string, caPem: string, datagrams: boolean) => Promise<PushClientConnection>,
): void {
  const entry = findRealtime(protocol);
  const transport = entry?.transports[0];
  if (!entry || !transport)
    throw new Error(`datagram suite: expected a realtime entry for ${protocol}, got none`);
  const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
  let topicNo = 0;
  const freshTopic = (): string => `${protocol}-datagrams-${++topicNo}`;
  let tls: Promise<GeneratedTls> | undefined;

  async function serve(t: ExecutionContext): Promise<{
    server: RealtimeServerHandle;
    client: () => StreamPushClient;
    caPem: string;
  }> {
    tls ??= generateTls();
    const material = await tls;
    const server = await entry!.start(core, {
      host: '127.0.0.1',
      port: 0,
      transport: transport!,
      tls: material,
    });
    const clients: RealtimeClient[] = [];
    t.teardown(async () => {
      await Promise.all(clients.map((cl) => cl.close()));
      await server.close();
    });
    const client = (): StreamPushClient => {
      const made = entry!.createClient({
        url: server.url,
        transport: transport!,
        encoding: 'proto',
        caPem: material.caPem,
        delivery: 'datagrams',
      });
      clients.push(made);
      if (!(made instanceof StreamPushClient)) throw new Error(`${protocol}: expected a StreamPushClient`);
      return made;
    };
    return { server, client, caPem: material.caPem };
  }

  test(`${protocol} datagrams: every event travels as a datagram, and three subscriptions of one session demultiplex by flow`, async (t) => {
    const { server, client } = await serve(t);
    const cl = client();
    const topics = [freshTopic(), freshTopic(), freshTopic()];
    const subs = topics.map((topic) => cl.subscribe(topic));
    await Promise.all(subs.map((s) => s.ready));
    // Interleaved: each topic's seqs are its own, so a datagram routed to the wrong flow shows.
    for (let i = 1; i <= 30; i++) for (const topic of topics) core.topics.publish(topic, post(i));
    const received = await Promise.all(subs.map((s) => take(s, 30)));
    for (const [i, events] of received.entries()) {
      t.deepEqual(seqs(events), range(1, 30));
      t.true(events.every((e) => e.topic === topics[i]));
    }
    t.is(server.connections(), 1, 'one session');
    t.like(cl.datagramStats(), { received: 90, moved: 0, lost: 0, late: 0 });
  });

  test(`${protocol} datagrams: an event too large for a datagram comes on the stream, announced and in order`, async (t) => {
    const { client } = await serve(t);
    const cl = client();
    const topic = freshTopic();
    const sub = cl.subscribe(topic);
    await sub.ready;
    // Over every path's datagram limit (quiche on loopback: ~16 KB; fails-components: 16 KB).
    const big = 64 * 1024;
    for (let i = 1; i <= 12; i++) core.topics.publish(topic, post(i, i % 4 === 0 ? big : 10));
    const events = await take(sub, 12);
    t.deepEqual(seqs(events), range(1, 12));
    t.true(
      events.every(
        (e, i) => e.payload.case === 'post' && e.payload.value.body.length === ((i + 1) % 4 === 0 ? big : 10),
      ),
    );
    t.like(cl.datagramStats(), { received: 9, moved: 3, lost: 0 });
  });

  test(`${protocol} datagrams: datagrams lost on the way (the tail of the burst included) are reported as gaps, never silently`, async (t) => {
    const { server, caPem } = await serve(t);
    // The real session, except that every datagram carrying a multiple of 7 or the last seq (60) is dropped.
    const lossy = async (): Promise<PushClientConnection> => {
      const session = await dial(server.url, caPem, true);
      const onDatagram = (listener: (bytes: Uint8Array) => void): void =>
        session.onDatagram?.((bytes) => {
          const d = decodeDatagram(bytes);
          if (d?.kind === 'event' && (d.event.seq % 7n === 0n || d.event.seq === 60n)) return;
          listener(bytes);
        });
      return new Proxy(session, {
        get: (target, key) => (key === 'onDatagram' ? onDatagram : Reflect.get(target, key)),
      });
    };
    const cl = new StreamPushClient(
      protocol,
      { url: server.url, transport, encoding: 'proto', caPem, delivery: 'datagrams' },
      lossy,
    );
    t.teardown(() => cl.close());
    const gaps: Gap[] = [];
    const topic = freshTopic();
    const sub = cl.subscribe(topic, { onGap: (g) => gaps.push(g) });
    await sub.ready;
    for (let i = 1; i <= 60; i++) core.topics.publish(topic, post(i));
    const dropped = range(1, 60).filter((s) => s % 7n === 0n || s === 60n);
    const events = await take(sub, 60 - dropped.length);
    t.deepEqual(
      seqs(events),
      range(1, 60).filter((s) => !dropped.includes(s)),
    );
    // 60 has no later seq: only the sent notice on the stream reveals it.
    await waitFor(() => gaps.some((g) => g.to === 60n), 'the lost last seq reported as a gap');
    t.deepEqual(
      gaps,
      dropped.map((s) => ({ from: s, to: s })),
    );
    t.like(cl.datagramStats(), { received: 60 - dropped.length, lost: dropped.length, late: 0 });
  });

  test(`${protocol} datagrams: once the flow is quiet the server names its last seq in a sent notice on the stream`, async (t) => {
    const { server, caPem } = await serve(t);
    const session = await dial(server.url, caPem, true);
    t.teardown(() => session.close(CLOSE.normal, 'test done'));
    const topic = freshTopic();
    const { frames, reply } = await subscribeRaw(session, 1, topic);
    t.like(reply, { type: 'subscribed', flow: 1 });
    for (let i = 1; i <= 3; i++) core.topics.publish(topic, post(i));
    // The events went as datagrams (this bare session does not read them): the stream carries only the notice.
    const { value } = await frames.next();
    t.deepEqual(value, { type: 'sent', seq: 3n });
  });

  test(`${protocol} datagrams: a subscribe with an unknown delivery value closes the session with 1007; the server keeps serving`, async (t) => {
    const { server, client, caPem } = await serve(t);
    const session = await dial(server.url, caPem, false);
    t.teardown(() => session.close(CLOSE.normal, 'test done'));
    const stream = await session.openStream();
    stream.send(unknownDeliveryFrame());
    t.is((await session.closed).code, CLOSE.invalidFrame);
    await waitFor(() => server.connections() === 0, 'connections() back to 0');
    const sub = client().subscribe(freshTopic());
    await sub.ready;
    core.topics.publish(sub.topic, post(1));
    t.deepEqual(seqs(await take(sub, 1)), [1n]);
  });

  test(`${protocol} datagrams: a flow id another live subscription uses is refused (ALREADY_EXISTS); the session keeps serving`, async (t) => {
    const { server, caPem } = await serve(t);
    const session = await dial(server.url, caPem, true);
    t.teardown(() => session.close(CLOSE.normal, 'test done'));
    const first = await subscribeRaw(session, 5, freshTopic());
    t.like(first.reply, { type: 'subscribed', flow: 5 });
    const clash = await subscribeRaw(session, 5, freshTopic());
    t.like(clash.reply, { type: 'error', id: 5, code: 'ALREADY_EXISTS' });
    const other = await subscribeRaw(session, 6, freshTopic());
    t.like(other.reply, { type: 'subscribed', flow: 6 });
    t.is(server.connections(), 1, 'the session is still open');
  });
}

/** A subscribe frame whose `delivery` field (9) is 7: no such delivery. */
function unknownDeliveryFrame(): Uint8Array {
  // type subscribe | id = 1 (field 1) | topic "t" (field 2) | delivery = 7 (field 9, varint)
  const body = Uint8Array.of(BINARY_TYPES.subscribe, 0x08, 0x01, 0x12, 0x01, 0x74, 0x48, 0x07);
  const out = new Uint8Array(LENGTH_BYTES + body.byteLength);
  new DataView(out.buffer).setUint32(0, body.byteLength);
  out.set(body, LENGTH_BYTES);
  return out;
}

/** Subscribes with datagram delivery on a fresh raw stream; resolves with the server's first frame. */
async function subscribeRaw(
  session: PushClientConnection,
  id: number,
  topic: string,
): Promise<{
  stream: PushStream;
  frames: AsyncGenerator<ServerFrame | SentFrame>;
  reply: ServerFrame | SentFrame | undefined;
}> {
  const stream = await session.openStream();
  stream.send(encodeStreamFrame({ type: 'subscribe', id, topic, delivery: 'datagrams' }));
  const frames = subscriptionFrames(stream);
  const { value } = await frames.next();
  return { stream, frames, reply: value ?? undefined };
}
