import { create } from '@bufbuild/protobuf';
import test from 'ava';
import {
  encodeStreamFrame,
  FrameReader,
  FrameTooLarge,
  LENGTH_BYTES,
} from '../../lib/push-streams/frames.js';
import { FeedEventSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { FrameError } from '../../services/websocket/frame-types.js';
import { post } from '../realtime/helpers.js';

/** The length-prefixed framing of the stream push protocols (WebTransport, raw QUIC), without a network. */
const frames = [
  encodeStreamFrame({ type: 'subscribe', id: 1, topic: 'news', afterSeq: 41n }),
  encodeStreamFrame({ type: 'publish', id: 2, topic: 'news', payload: post(7, 300) }),
  encodeStreamFrame({
    type: 'event',
    event: create(FeedEventSchema, { seq: 42n, topic: 'news', payload: post(1) }),
  }),
];
const joined = Buffer.concat(frames);

test('frames split at every byte boundary decode to the same frames, in order', (t) => {
  const reader = new FrameReader(1024 * 1024);
  const out = [];
  for (let i = 0; i < joined.byteLength; i++) out.push(...reader.push(joined.subarray(i, i + 1)));
  t.deepEqual(
    out.map((f) => f.type),
    ['subscribe', 'publish', 'event'],
  );
  t.like(out[0], { type: 'subscribe', id: 1, topic: 'news', afterSeq: 41n });
  t.is(reader.pending, 0);
});

test('many frames in one chunk decode at once; a partial tail waits for the rest', (t) => {
  const reader = new FrameReader(1024 * 1024);
  const cut = joined.byteLength - 3;
  t.is(reader.push(joined.subarray(0, cut)).length, 2);
  t.is(reader.pending, (frames[2]?.byteLength ?? 0) - 3);
  t.is(reader.push(joined.subarray(cut)).length, 1);
});

test('a length over the limit is refused before its body arrives', (t) => {
  const reader = new FrameReader(100);
  const head = new Uint8Array(LENGTH_BYTES);
  new DataView(head.buffer).setUint32(0, 101);
  const error = t.throws(() => reader.push(head), { instanceOf: FrameTooLarge });
  t.is(error?.message, 'frame length: expected at most 100 bytes, got 101');
});

test('an empty frame or an unknown type byte is a FrameError saying what was expected', (t) => {
  t.throws(() => new FrameReader(100).push(Uint8Array.of(0, 0, 0, 0)), {
    instanceOf: FrameError,
    message: /expected at least 1 byte/,
  });
  t.throws(() => new FrameReader(100).push(Uint8Array.of(0, 0, 0, 1, 0x7e)), {
    instanceOf: FrameError,
    message: /expected a known type byte, got 126/,
  });
});

test('an event is encoded once however many streams carry it', (t) => {
  const event = create(FeedEventSchema, { seq: 1n, topic: 't', payload: post(1) });
  t.is(encodeStreamFrame({ type: 'event', event }), encodeStreamFrame({ type: 'event', event }));
});
