import { create, fromJson, type JsonObject, type JsonValue, toJson } from '@bufbuild/protobuf';
import { ChatMessageSchema, FeedEventSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { eventJson } from '../realtime/http-util.js';
import { type Frame, FrameError } from './frame-types.js';

/**
 * JSON text frames: one object per message with a `type` field; events and
 * chat messages in protobuf JSON (int64 as decimal strings, so seq survives
 * JavaScript numbers). Examples:
 *
 *   → {"type":"subscribe","id":1,"topic":"news","afterSeq":"41"}
 *   ← {"type":"subscribed","id":1,"topic":"news","lastSeq":"41","gap":{"from":"1","to":"9"}}
 *   ← {"type":"event","event":{"seq":"42","topic":"news","sentAt":"…","post":{…}}}
 *   → {"type":"publish","id":2,"topic":"news","event":{"post":{…}}}
 *   ← {"type":"published","id":2,"event":{…}}
 *   → {"type":"echo","message":{"room":"r","text":"hi"}}
 *   ← {"type":"error","id":3,"code":"INVALID_ARGUMENT","message":"…"}
 */
export function encodeJsonFrame(frame: Frame): string {
  switch (frame.type) {
    case 'event':
      // The hot path: the event's JSON is encoded once for every subscriber.
      return `{"type":"event","event":${eventJson(frame.event)}}`;
    case 'subscribe': {
      const after = frame.afterSeq === undefined ? {} : { afterSeq: String(frame.afterSeq) };
      return JSON.stringify({ type: frame.type, id: frame.id, topic: frame.topic, ...after });
    }
    case 'unsubscribe':
    case 'unsubscribed':
      return JSON.stringify({ type: frame.type, id: frame.id, topic: frame.topic });
    case 'publish': {
      const event = toJson(FeedEventSchema, create(FeedEventSchema, { payload: frame.payload }));
      return JSON.stringify({ type: frame.type, id: frame.id, topic: frame.topic, event });
    }
    case 'echo':
      return JSON.stringify({ type: frame.type, message: toJson(ChatMessageSchema, frame.message) });
    case 'subscribed': {
      const gap = frame.gap ? { gap: { from: String(frame.gap.from), to: String(frame.gap.to) } } : {};
      const lastSeq = String(frame.lastSeq);
      return JSON.stringify({ type: frame.type, id: frame.id, topic: frame.topic, lastSeq, ...gap });
    }
    case 'published':
      return `{"type":"published","id":${frame.id},"event":${eventJson(frame.event)}}`;
    case 'error':
      return JSON.stringify(frame);
  }
}

/** Parses a JSON text frame, checking every field; anything unexpected is a FrameError saying what. */
export function decodeJsonFrame(text: string): Frame {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    throw new FrameError(`text frame: expected JSON, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FrameError('text frame: expected a JSON object');
  }
  const o = value;
  const type = o.type;
  switch (type) {
    case 'subscribe': {
      const afterSeq = o.afterSeq === undefined ? {} : { afterSeq: seq(o, 'afterSeq') };
      return { type, id: id(o), topic: str(o, 'topic'), ...afterSeq };
    }
    case 'unsubscribe':
    case 'unsubscribed':
      return { type, id: id(o), topic: str(o, 'topic') };
    case 'publish':
      return {
        type,
        id: id(o),
        topic: str(o, 'topic'),
        payload: message(o, 'event', FeedEventSchema).payload,
      };
    case 'echo':
      return { type, message: message(o, 'message', ChatMessageSchema) };
    case 'subscribed': {
      const g = o.gap;
      const gap =
        typeof g === 'object' && g !== null && !Array.isArray(g)
          ? { gap: { from: seq(g, 'from'), to: seq(g, 'to') } }
          : {};
      return { type, id: id(o), topic: str(o, 'topic'), lastSeq: seq(o, 'lastSeq'), ...gap };
    }
    case 'published':
      return { type, id: id(o), event: message(o, 'event', FeedEventSchema) };
    case 'event':
      return { type, event: message(o, 'event', FeedEventSchema) };
    case 'error':
      return {
        type,
        ...(o.id === undefined ? {} : { id: id(o) }),
        code: str(o, 'code'),
        message: str(o, 'message'),
      };
    default:
      throw new FrameError(`type: expected a wirebench frame type, got ${JSON.stringify(type)}`);
  }
}

function id(o: JsonObject): number {
  const v = o.id;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
    throw new FrameError(`id: expected an integer 0..4294967295, got ${JSON.stringify(v)}`);
  }
  return v;
}

function str(o: JsonObject, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new FrameError(`${key}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function seq(o: JsonObject, key: string): bigint {
  const v = o[key];
  if (typeof v === 'string' && /^\d{1,19}$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new FrameError(`${key}: expected a sequence number (decimal string), got ${JSON.stringify(v)}`);
}

function message<S extends typeof FeedEventSchema | typeof ChatMessageSchema>(
  o: JsonObject,
  key: string,
  schema: S,
) {
  const value = o[key];
  if (value === undefined)
    throw new FrameError(`${key}: expected ${schema.typeName} in protobuf JSON, got none`);
  try {
    return fromJson(schema, value) as ReturnType<typeof fromJson<S>>;
  } catch (error) {
    throw new FrameError(`${key}: expected ${schema.typeName} in protobuf JSON (${String(error)})`);
  }
}
