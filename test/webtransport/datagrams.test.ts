import { create } from '@bufbuild/protobuf';
import { TimestampSchema } from '@bufbuild/protobuf/wkt';
import test from 'ava';
import type { Gap } from '../../clients/realtime/index.js';
import {
  decodeDatagram,
  emptyDatagramStats,
  encodeEventDatagram,
  encodeMovedDatagram,
  encodeStreamFrame,
  FrameReader,
  REORDER_THRESHOLD,
  REORDER_WINDOW_MS,
  SENT_TYPE,
  Sequencer,
} from '../../lib/push-streams/index.js';
import { type FeedEvent, FeedEventSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { decodeBinaryFrame, encodeBinaryFrame } from '../../services/websocket/binary-frames.js';
import { FrameError } from '../../services/websocket/frame-types.js';
import { post } from '../realtime/helpers.js';

/** The datagram codec, the subscribe frame's `delivery`, and the client's Sequencer, without sockets. */
const event = (seq: number): FeedEvent =>
  create(FeedEventSchema, { seq: BigInt(seq), topic: 'news', payload: post(seq) });

test('an event datagram carries flow, seq, topic, sentAt and payload; a moved one flow and seq', (t) => {
  const e = create(FeedEventSchema, {
    seq: 42n,
    topic: 'news',
    payload: post(42),
    sentAt: create(TimestampSchema, { seconds: 1n, nanos: 5 }),
  });
  for (const flow of [1, 127, 128, 300_000, 0xffff_ffff]) {
    const decoded = decodeDatagram(encodeEventDatagram(flow, e));
    t.is(decoded?.kind, 'event');
    t.is(decoded?.flow, flow);
    if (decoded?.kind === 'event') {
      t.is(decoded.event.seq, 42n);
      t.is(decoded.event.topic, 'news');
      t.is(decoded.event.sentAt?.nanos, 5);
      t.is(decoded.event.payload.case === 'post' ? decoded.event.payload.value.id : '', 'p42');
    }
  }
  t.deepEqual(decodeDatagram(encodeMovedDatagram(9, 1n << 40n)), { kind: 'moved', flow: 9, seq: 1n << 40n });
});

test('a datagram that is not one of ours decodes to undefined (counted and dropped, never fatal)', (t) => {
  const garbage = [
    new Uint8Array(0),
    Uint8Array.of(0x7e, 1),
    Uint8Array.of(0x14),
    Uint8Array.of(0x14, 0x80),
    Uint8Array.of(0x14, 0x01, 0x08),
    Uint8Array.of(0x1a, 0x01),
    Uint8Array.of(0x1a, 0x01, 0x05, 0x00),
    Uint8Array.of(0x14, 0xff, 0xff, 0xff, 0xff, 0x7f),
  ];
  for (const bytes of garbage) t.is(decodeDatagram(bytes), undefined, `bytes ${[...bytes]}`);
});

test('subscribe: delivery round-trips, streams (the default) adds no byte, an unknown value is a FrameError', (t) => {
  const plain = encodeBinaryFrame({ type: 'subscribe', id: 3, topic: 'news', afterSeq: 7n });
  const streams = encodeBinaryFrame({
    type: 'subscribe',
    id: 3,
    topic: 'news',
    afterSeq: 7n,
    delivery: 'streams',
  });
  t.deepEqual(streams, plain, 'WebSocket frames stay byte for byte as they were');
  t.deepEqual(decodeBinaryFrame(plain), { type: 'subscribe', id: 3, topic: 'news', afterSeq: 7n });
  const datagrams = encodeBinaryFrame({ type: 'subscribe', id: 3, topic: 'news', delivery: 'datagrams' });
  t.deepEqual(decodeBinaryFrame(datagrams), {
    type: 'subscribe',
    id: 3,
    topic: 'news',
    delivery: 'datagrams',
  });
  const reply = encodeBinaryFrame({ type: 'subscribed', id: 3, topic: 'news', lastSeq: 0n, flow: 3 });
  t.like(decodeBinaryFrame(reply), { type: 'subscribed', flow: 3 });
  const unknown = Uint8Array.of(0x01, 0x08, 0x01, 0x48, 0x07);
  t.throws(() => decodeBinaryFrame(unknown), {
    instanceOf: FrameError,
    message: /delivery: expected 0 \(streams\) or 1 \(datagrams\), got 7/,
  });
  const wrongWire = Uint8Array.of(0x01, 0x08, 0x01, 0x4a, 0x01, 0x01);
  t.throws(() => decodeBinaryFrame(wrongWire), { instanceOf: FrameError, message: /control field 9/ });
});

/** A started Sequencer whose deliveries and gaps are recorded. */
function sequencer(after = 0n) {
  const delivered: bigint[] = [];
  const gaps: Gap[] = [];
  const stats = emptyDatagramStats();
  const s = new Sequencer(
    (e) => delivered.push(e.seq),
    (g) => gaps.push(g),
    stats,
  );
  s.start(after);
  return { s, delivered, gaps, stats };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('sequencer: in-order and reordered arrivals are delivered in seq order, once', (t) => {
  const { s, delivered, gaps, stats } = sequencer();
  for (const seq of [1, 3, 2, 4, 4, 1]) s.accept(event(seq));
  t.deepEqual(delivered, [1n, 2n, 3n, 4n]);
  t.deepEqual(gaps, []);
  t.is(stats.late, 2, 'the duplicate 4 and the old 1 are dropped as late');
  s.close();
});

test(`sequencer: a seq is lost once ${REORDER_THRESHOLD} later ones arrived; if it comes after, it is late`, (t) => {
  const { s, delivered, gaps, stats } = sequencer(10n);
  for (const seq of [11, 13, 14]) s.accept(event(seq));
  t.deepEqual(delivered, [11n], 'held behind the hole');
  s.accept(event(15));
  t.deepEqual(gaps, [{ from: 12n, to: 12n }]);
  t.deepEqual(delivered, [11n, 13n, 14n, 15n]);
  s.accept(event(12));
  t.deepEqual(delivered, [11n, 13n, 14n, 15n], 'never out of order');
  t.like(stats, { lost: 1, late: 1 });
  s.close();
});

test(`sequencer: a seq with fewer later arrivals is lost after the ${REORDER_WINDOW_MS} ms window`, async (t) => {
  const { s, delivered, gaps } = sequencer();
  s.accept(event(1));
  s.accept(event(4));
  t.deepEqual(delivered, [1n]);
  await sleep(REORDER_WINDOW_MS * 4);
  t.deepEqual(gaps, [{ from: 2n, to: 3n }]);
  t.deepEqual(delivered, [1n, 4n]);
  s.close();
});

test('sequencer: a seq announced as moved is waited for past the threshold and the window', async (t) => {
  const { s, delivered, gaps, stats } = sequencer();
  s.moved(1n);
  for (const seq of [2, 3, 4, 5]) s.accept(event(seq));
  await sleep(REORDER_WINDOW_MS * 3);
  t.deepEqual(delivered, []);
  s.accept(event(1));
  t.deepEqual(delivered, [1n, 2n, 3n, 4n, 5n]);
  t.deepEqual(gaps, []);
  t.is(stats.moved, 1);
  s.close();
});

test('sequencer: a gap stops at a moved seq, which is still waited for', (t) => {
  const { s, delivered, gaps } = sequencer();
  s.moved(3n);
  for (const seq of [4, 5, 6]) s.accept(event(seq));
  // 1 and 2 are lost (three later arrivals); 3 is on its way on the stream.
  t.deepEqual(gaps, [{ from: 1n, to: 2n }]);
  t.deepEqual(delivered, []);
  s.accept(event(3));
  t.deepEqual(delivered, [3n, 4n, 5n, 6n]);
  s.close();
});

test('sequencer: datagrams that overtake the subscribed reply are sorted in at start', (t) => {
  const delivered: bigint[] = [];
  const stats = emptyDatagramStats();
  const s = new Sequencer(
    (e) => delivered.push(e.seq),
    () => t.fail('no gap expected'),
    stats,
  );
  for (const seq of [6, 4, 5]) s.accept(event(seq));
  t.deepEqual(delivered, [], 'nothing before the reply says where to start');
  s.start(4n);
  t.deepEqual(delivered, [5n, 6n]);
  t.is(stats.late, 1, 'seq 4 was at or before the resume point');
  s.close();
});

test('sequencer: a sent notice reveals the lost tail of a burst (no later seq would), after the window', async (t) => {
  const { s, delivered, gaps, stats } = sequencer();
  s.accept(event(1));
  s.accept(event(2));
  s.sent(4n);
  t.deepEqual(gaps, [], 'the last datagrams may still be on their way');
  await sleep(REORDER_WINDOW_MS * 4);
  t.deepEqual(gaps, [{ from: 3n, to: 4n }]);
  t.deepEqual(delivered, [1n, 2n]);
  s.accept(event(4));
  t.like(stats, { lost: 2, late: 1 });
  s.sent(4n);
  s.accept(event(5));
  t.deepEqual(delivered, [1n, 2n, 5n], 'delivery continues after the gap');
  s.close();
});

test('sequencer: a sent notice covering what already arrived changes nothing', async (t) => {
  const { s, delivered, gaps } = sequencer();
  for (const seq of [1, 2, 3]) s.accept(event(seq));
  s.sent(3n);
  await sleep(REORDER_WINDOW_MS * 3);
  t.deepEqual(delivered, [1n, 2n, 3n]);
  t.deepEqual(gaps, []);
  s.close();
});

test('push frames: a sent notice round-trips; one with trailing bytes is a FrameError', (t) => {
  const reader = new FrameReader(1024);
  t.deepEqual(reader.push(encodeStreamFrame({ type: 'sent', seq: 300n })), [{ type: 'sent', seq: 300n }]);
  const bad = Uint8Array.of(0, 0, 0, 3, SENT_TYPE, 0x05, 0x00);
  t.throws(() => new FrameReader(1024).push(bad), { instanceOf: FrameError, message: /sent frame/ });
});

test('sequencer: close() drops what is held and cancels the window', async (t) => {
  const { s, delivered, gaps } = sequencer();
  s.accept(event(2));
  s.close();
  await sleep(REORDER_WINDOW_MS * 3);
  s.accept(event(1));
  t.deepEqual(delivered, []);
  t.deepEqual(gaps, []);
});
