import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import {
  ChatMessageSchema,
  type FeedEvent,
  FeedEventSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { type Delivery, type Frame, FrameError, type FrameType } from './frame-types.js';

/**
 * Binary frames: a 1-byte type, then protobuf bytes. Events and chat messages
 * are their feed.proto message as is (the hot paths carry no wrapper); every
 * other frame is this control message, written with protobuf's wire format:
 *
 *   message Control {           // wirebench realtime, binary mode only
 *     uint32 id = 1;            // request id, repeated by the reply
 *     string topic = 2;
 *     optional uint64 after_seq = 3;   // subscribe: resume after this seq
 *     uint64 last_seq = 4;      // subscribed: the resume point
 *     optional uint64 gap_from = 5;    // subscribed: events lost to the history
 *     uint64 gap_to = 6;
 *     string code = 7;          // error: a CoreError code
 *     string message = 8;       // error: what was expected and what arrived
 *     Delivery delivery = 9;    // subscribe: STREAMS (0, the default) or DATAGRAMS (1)
 *     uint32 flow = 10;         // subscribed: the flow id of the subscription's datagrams
 *     bytes body = 15;          // publish: a FeedEvent (payload only); published: the FeedEvent
 *   }
 *
 * `delivery` and `flow` serve the stream push protocols (lib/push-streams);
 * a frame without them encodes byte for byte as before, and an unknown
 * `delivery` value is a FrameError, like a field of the wrong wire type.
 */
export const BINARY_TYPES: Readonly<Record<FrameType, number>> = {
  subscribe: 0x01,
  unsubscribe: 0x02,
  publish: 0x03,
  echo: 0x04,
  subscribed: 0x11,
  unsubscribed: 0x12,
  published: 0x13,
  event: 0x14,
  error: 0x1f,
};
const TYPE_OF = new Map(Object.entries(BINARY_TYPES).map(([name, byte]) => [byte, name as FrameType]));

interface Control {
  id?: number;
  topic?: string;
  afterSeq?: bigint;
  lastSeq?: bigint;
  gapFrom?: bigint;
  gapTo?: bigint;
  code?: string;
  message?: string;
  delivery?: number;
  flow?: number;
  body?: Uint8Array;
}

/** `delivery` on the wire: an enum whose zero value is the default, so `streams` is never written. */
const DELIVERY_CODES: Readonly<Record<Delivery, number>> = { streams: 0, datagrams: 1 };
const DELIVERY_OF = new Map(Object.entries(DELIVERY_CODES).map(([name, code]) => [code, name as Delivery]));

const eventCache = new WeakMap<FeedEvent, Uint8Array>();

/** Encodes a frame as type byte + protobuf bytes. */
export function encodeBinaryFrame(frame: Frame): Uint8Array {
  const type = BINARY_TYPES[frame.type];
  switch (frame.type) {
    case 'event': {
      // The hot path: encoded once for every subscriber.
      let bytes = eventCache.get(frame.event);
      if (!bytes) {
        bytes = withType(type, toBinary(FeedEventSchema, frame.event));
        eventCache.set(frame.event, bytes);
      }
      return bytes;
    }
    case 'echo':
      return withType(type, toBinary(ChatMessageSchema, frame.message));
    case 'subscribe': {
      const delivery = frame.delivery === 'datagrams' ? DELIVERY_CODES.datagrams : undefined;
      return withType(
        type,
        control({ id: frame.id, topic: frame.topic, afterSeq: frame.afterSeq, delivery }),
      );
    }
    case 'unsubscribe':
    case 'unsubscribed':
      return withType(type, control({ id: frame.id, topic: frame.topic }));
    case 'publish': {
      const body = toBinary(FeedEventSchema, create(FeedEventSchema, { payload: frame.payload }));
      return withType(type, control({ id: frame.id, topic: frame.topic, body }));
    }
    case 'subscribed': {
      const { id, topic, lastSeq, gap, flow } = frame;
      return withType(type, control({ id, topic, lastSeq, gapFrom: gap?.from, gapTo: gap?.to, flow }));
    }
    case 'published':
      return withType(type, control({ id: frame.id, body: toBinary(FeedEventSchema, frame.event) }));
    case 'error':
      return withType(type, control({ id: frame.id, code: frame.code, message: frame.message }));
  }
}

/** Decodes type byte + protobuf bytes; an unknown type, a truncated or malformed body is a FrameError. */
export function decodeBinaryFrame(data: Uint8Array): Frame {
  const type = TYPE_OF.get(data[0] ?? -1);
  if (!type)
    throw new FrameError(`binary frame: expected a known type byte, got ${data[0] ?? 'an empty frame'}`);
  const body = data.subarray(1);
  try {
    if (type === 'event') return { type, event: fromBinary(FeedEventSchema, body) };
    if (type === 'echo') return { type, message: fromBinary(ChatMessageSchema, body) };
    const c = readControl(body);
    const id = c.id ?? 0;
    const topic = c.topic ?? '';
    switch (type) {
      case 'subscribe': {
        const after = c.afterSeq === undefined ? {} : { afterSeq: c.afterSeq };
        return { type, id, topic, ...after, ...deliveryOf(c.delivery) };
      }
      case 'unsubscribe':
      case 'unsubscribed':
        return { type, id, topic };
      case 'publish':
        return { type, id, topic, payload: fromBinary(FeedEventSchema, c.body ?? new Uint8Array()).payload };
      case 'subscribed': {
        const gap = c.gapFrom === undefined ? {} : { gap: { from: c.gapFrom, to: c.gapTo ?? c.gapFrom } };
        const flow = c.flow === undefined ? {} : { flow: c.flow };
        return { type, id, topic, lastSeq: c.lastSeq ?? 0n, ...gap, ...flow };
      }
      case 'published':
        return { type, id, event: fromBinary(FeedEventSchema, c.body ?? new Uint8Array()) };
      case 'error':
        return {
          type,
          ...(c.id === undefined ? {} : { id }),
          code: c.code ?? 'UNKNOWN',
          message: c.message ?? '',
        };
    }
  } catch (error) {
    if (error instanceof FrameError) throw error;
    throw new FrameError(`binary ${type} frame: expected protobuf bytes (${String(error)})`);
  }
}

/** The frame field for a decoded `delivery` code: absent or 0 → nothing (streams), 1 → datagrams. */
function deliveryOf(code: number | undefined): { delivery?: Delivery } {
  if (code === undefined || code === DELIVERY_CODES.streams) return {};
  const delivery = DELIVERY_OF.get(code);
  if (!delivery)
    throw new FrameError(`subscribe delivery: expected 0 (streams) or 1 (datagrams), got ${code}`);
  return { delivery };
}

function withType(type: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength + 1);
  out[0] = type;
  out.set(bytes, 1);
  return out;
}

function control(c: Control): Uint8Array {
  const w = new BinaryWriter();
  if (c.id !== undefined) w.tag(1, WireType.Varint).uint32(c.id);
  if (c.topic) w.tag(2, WireType.LengthDelimited).string(c.topic);
  if (c.afterSeq !== undefined) w.tag(3, WireType.Varint).uint64(c.afterSeq);
  if (c.lastSeq !== undefined) w.tag(4, WireType.Varint).uint64(c.lastSeq);
  if (c.gapFrom !== undefined) w.tag(5, WireType.Varint).uint64(c.gapFrom);
  if (c.gapTo !== undefined) w.tag(6, WireType.Varint).uint64(c.gapTo);
  if (c.code) w.tag(7, WireType.LengthDelimited).string(c.code);
  if (c.message) w.tag(8, WireType.LengthDelimited).string(c.message);
  if (c.delivery !== undefined) w.tag(9, WireType.Varint).uint32(c.delivery);
  if (c.flow !== undefined) w.tag(10, WireType.Varint).uint32(c.flow);
  if (c.body) w.tag(15, WireType.LengthDelimited).bytes(c.body);
  return w.finish();
}

function readControl(bytes: Uint8Array): Control {
  const r = new BinaryReader(bytes);
  const c: Control = {};
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    // A known field with the wrong wire type would misread what follows: refuse it.
    const want =
      field === 2 || field === 7 || field === 8 || field === 15 ? WireType.LengthDelimited : WireType.Varint;
    if (FIELDS.has(field) && wire !== want) {
      throw new FrameError(`control field ${field}: expected wire type ${want}, got ${wire}`);
    }
    if (field === 1) c.id = r.uint32();
    else if (field === 2) c.topic = r.string();
    else if (field === 3) c.afterSeq = BigInt(r.uint64());
    else if (field === 4) c.lastSeq = BigInt(r.uint64());
    else if (field === 5) c.gapFrom = BigInt(r.uint64());
    else if (field === 6) c.gapTo = BigInt(r.uint64());
    else if (field === 7) c.code = r.string();
    else if (field === 8) c.message = r.string();
    else if (field === 9) c.delivery = r.uint32();
    else if (field === 10) c.flow = r.uint32();
    else if (field === 15) c.body = r.bytes();
    else r.skip(wire, field);
  }
  return c;
}

const FIELDS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15]);
