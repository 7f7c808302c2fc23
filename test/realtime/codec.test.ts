import { create, equals } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import test from 'ava';
import { Backoff } from '../../clients/realtime/index.js';
import { type SseBlock, sseBlocks } from '../../clients/sse/index.js';
import { ChatMessageSchema, FeedEventSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { decodeFrame, encodeFrame, type Frame, FrameError } from '../../services/websocket/index.js';
import { post } from './helpers.js';

/** Unit tests of the wire pieces: frame codecs both ways, the SSE parser, the seeded backoff. */
const event = create(FeedEventSchema, {
  seq: 9_007_199_254_740_993n,
  topic: 'news',
  sentAt: timestampFromMs(1_767_225_600_000),
  payload: post(7),
});
const message = create(ChatMessageSchema, {
  room: 'r',
  senderId: 'u',
  seq: 3n,
  text: 'hé',
  sentAt: timestampFromMs(1),
});

const frames: Frame[] = [
  { type: 'subscribe', id: 1, topic: 'news' },
  { type: 'subscribe', id: 4_294_967_295, topic: 'news', afterSeq: 0n },
  { type: 'subscribe', id: 2, topic: 'ü/topic', afterSeq: 41n },
  { type: 'unsubscribe', id: 3, topic: 'news' },
  { type: 'publish', id: 4, topic: 'news', payload: post(1) },
  { type: 'echo', message },
  { type: 'subscribed', id: 1, topic: 'news', lastSeq: 41n },
  { type: 'subscribed', id: 1, topic: 'news', lastSeq: 2n, gap: { from: 3n, to: 89n } },
  { type: 'unsubscribed', id: 3, topic: 'news' },
  { type: 'published', id: 4, event },
  { type: 'event', event },
  { type: 'error', id: 5, code: 'INVALID_ARGUMENT', message: 'topic: expected …' },
  { type: 'error', code: 'INTERNAL', message: 'internal error' },
];

for (const encoding of ['json', 'proto'] as const) {
  test(`${encoding} frames round-trip, int64 seqs beyond 2^53 included`, (t) => {
    for (const f of frames) {
      const data = encodeFrame(f, encoding);
      t.is(typeof data === 'string', encoding === 'json', f.type);
      const back = decodeFrame(Buffer.from(data), encoding === 'proto');
      t.true(
        sameFrame(f, back),
        `${f.type}: ${JSON.stringify(back, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`,
      );
    }
  });
}

test('the JSON event frame is FeedEvent protobuf JSON with int64 as a string', (t) => {
  const json = JSON.parse(encodeFrame({ type: 'event', event }, 'json') as string);
  t.like(json, { type: 'event', event: { seq: '9007199254740993', topic: 'news', post: { id: 'p7' } } });
});

test('malformed frames are FrameErrors that say what was expected', (t) => {
  const bad: [string | Uint8Array, RegExp][] = [
    ['hello', /expected JSON/],
    ['[1]', /expected a JSON object/],
    ['{"type":"nope"}', /expected a wirebench frame type/],
    ['{"type":"subscribe","id":-1,"topic":"t"}', /id: expected an integer/],
    ['{"type":"subscribe","id":1}', /topic: expected a string/],
    ['{"type":"subscribe","id":1,"topic":"t","afterSeq":"x"}', /afterSeq: expected a sequence number/],
    ['{"type":"publish","id":1,"topic":"t","event":{"seq":{}}}', /event: expected wirebench.v1.FeedEvent/],
    ['{"type":"publish","id":1,"topic":"t"}', /event: expected .* got none/],
    [Uint8Array.of(), /got an empty frame/],
    [Uint8Array.of(0x99), /expected a known type byte/],
    [Uint8Array.of(0x14, 0xff, 0xff), /binary event frame: expected protobuf bytes/],
    [Uint8Array.of(0x01, 0x0a, 0x01), /control field 1: expected wire type 0/],
  ];
  for (const [data, pattern] of bad) {
    const error = t.throws(() => decodeFrame(Buffer.from(data), typeof data !== 'string'), {
      instanceOf: FrameError,
    });
    t.regex(error?.message ?? '', pattern);
  }
});

const stream = [
  'retry: 1000\nid: 0\n\n',
  ': hb\n\n',
  'event: gap\ndata: {"from":"3","to":"7"}\n\n',
  'id: 8\ndata: {"seq":"8","body":"é€😀"}\n\n',
  'data: line1\r\ndata:line2\r\nid\r\n\r\n',
  'data\rid: 9\r\r',
  'id: x\0y\nretry: soon\nfoo: bar\n\n',
].join('');

const expected: SseBlock[] = [
  { retry: 1000, id: '0' },
  { event: 'gap', data: '{"from":"3","to":"7"}' },
  { id: '8', data: '{"seq":"8","body":"é€😀"}' },
  { data: 'line1\nline2', id: '' },
  { data: '', id: '9' },
];

test('the SSE parser yields the same blocks wherever the chunks split', async (t) => {
  const bytes = Buffer.from(stream);
  for (const size of [1, 2, 3, 5, 7, 64, bytes.length]) {
    const chunks = (async function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })();
    const blocks: SseBlock[] = [];
    for await (const block of sseBlocks(chunks)) blocks.push(block);
    t.deepEqual(blocks, expected, `chunks of ${size} bytes`);
  }
});

test('backoff: exponential, capped, jittered within bounds, and the same for the same seed', (t) => {
  const a = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5, seed: 3 });
  const b = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5, seed: 3 });
  const c = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5, seed: 4 });
  const da = Array.from({ length: 8 }, (_, i) => a.delayMs(i));
  const db = Array.from({ length: 8 }, (_, i) => b.delayMs(i));
  const dc = Array.from({ length: 8 }, (_, i) => c.delayMs(i));
  t.deepEqual(da, db);
  t.notDeepEqual(da, dc);
  da.forEach((d, i) => {
    const base = Math.min(1000, 100 * 2 ** i);
    t.true(d >= base / 2 && d <= base, `attempt ${i}: ${d} in [${base / 2}, ${base}]`);
  });
  t.is(new Backoff({ jitter: 0 }).delayMs(0, 250), 250, "the server's hint is the first delay by default");
});

function sameFrame(a: Frame, b: Frame): boolean {
  if (a.type !== b.type) return false;
  const proto = (f: Frame): unknown => {
    if (f.type === 'event' || f.type === 'published') return f.event;
    if (f.type === 'echo') return f.message;
    if (f.type === 'publish') return create(FeedEventSchema, { payload: f.payload });
    return undefined;
  };
  const rest = (f: Frame): string => {
    const { event: _e, payload: _p, ...others } = f as Record<string, unknown>;
    if (f.type === 'echo') delete others.message;
    return JSON.stringify(others, big);
  };
  if (rest(a) !== rest(b)) return false;
  const pa = proto(a);
  const pb = proto(b);
  if (a.type === 'echo') return equals(ChatMessageSchema, pa as never, pb as never);
  return pa === undefined ? pb === undefined : equals(FeedEventSchema, pa as never, pb as never);
}

function big(_: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}
