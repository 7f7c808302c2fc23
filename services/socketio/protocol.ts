import { fromJson, type JsonObject, type JsonValue, toJson } from '@bufbuild/protobuf';
import {
  type ChatMessage,
  ChatMessageSchema,
  type FeedEvent,
  FeedEventSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { MAX_TOPIC_LENGTH } from '../realtime/http-util.js';
import type { Gap } from '../realtime/types.js';

/**
 * The wirebench message protocol over Socket.IO events. Requests carry a
 * Socket.IO acknowledgement, which is the reply; events and chat messages
 * carry none — order on the connection is theirs. Messages are protobuf JSON
 * (int64 as decimal strings, so seq survives JavaScript numbers), as SSE and
 * WebSocket's JSON frames carry them:
 *
 *   → subscribe   {"topic":"news","afterSeq":"41"}   ack ← {"lastSeq":"41","gap":{"from":"1","to":"9"}}
 *   → unsubscribe {"topic":"news"}                    ack ← {}
 *   → publish     {"topic":"news","event":{"post":{…}}} ack ← {"event":{…}}
 *   → chat        {"room":"r","text":"hi"}            ← chat {"room":"r","text":"hi","sentAt":"…"}
 *   ← event       {"seq":"42","topic":"news","sentAt":"…","post":{…}}
 *   ← failure     {"code":"INVALID_ARGUMENT","message":"…"}   (a connection-level error, no request to answer)
 *
 * A refused request acks `{"error":{"code":…,"message":…}}`. Resume is this
 * protocol's `afterSeq`, not Socket.IO's connection-state recovery: that
 * replays only room broadcasts of one server session and reports no gap,
 * while the hub's history outlives sessions and says what it lost.
 */
export const SIO_EVENTS = {
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  publish: 'publish',
  chat: 'chat',
  event: 'event',
  failure: 'failure',
} as const;

/** Events a client may send; anything else breaks the protocol. */
export const CLIENT_EVENTS: ReadonlySet<string> = new Set([
  SIO_EVENTS.subscribe,
  SIO_EVENTS.unsubscribe,
  SIO_EVENTS.publish,
  SIO_EVENTS.chat,
]);

/** The HTTP path Socket.IO is served on (engine.io's default, stated so both sides agree). */
export const SOCKETIO_PATH = '/socket.io/';

/** A refusal, in an ack (`{ error }`) or a `failure` event. `code` is a CoreError code. */
export interface WireError {
  readonly code: string;
  readonly message: string;
}

/** A subscribe ack: the resume point and what resuming could not deliver. */
export interface SubscribedReply {
  readonly lastSeq: bigint;
  readonly gap?: Gap;
}

/** A request that does not decode: the peer broke the protocol (the server disconnects it). */
export class SioProtocolError extends Error {
  override readonly name = 'SioProtocolError';
}

const jsonCache = new WeakMap<FeedEvent, JsonValue>();

/**
 * An event's protobuf JSON as one shared object: every subscriber is handed
 * the same object, so the server's encoder can encode it once (encoder.ts).
 */
export function eventObject(event: FeedEvent): JsonValue {
  let json = jsonCache.get(event);
  if (json === undefined) {
    json = toJson(FeedEventSchema, event);
    jsonCache.set(event, json);
  }
  return json;
}

export function chatObject(message: ChatMessage): JsonValue {
  return toJson(ChatMessageSchema, message);
}

/** Reads a topic field: a string of 1..MAX_TOPIC_LENGTH characters. */
export function topicOf(o: JsonObject): string {
  const topic = o.topic;
  if (typeof topic !== 'string')
    throw new SioProtocolError(`topic: expected a string, got ${JSON.stringify(topic)}`);
  return topic;
}

/** Whether a topic name is acceptable; a well-formed request with a bad topic is refused, not a violation. */
export function topicProblem(topic: string): string | undefined {
  if (topic === '' || topic.length > MAX_TOPIC_LENGTH)
    return `topic: expected 1..${MAX_TOPIC_LENGTH} characters, got ${topic.length}`;
  return undefined;
}

/** A request's payload: a JSON object, or SioProtocolError. */
export function objectOf(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SioProtocolError(`${what}: expected a JSON object, got ${describe(value)}`);
  }
  return value as JsonObject;
}

/** A decimal sequence number field (absent: undefined). */
export function seqOf(o: JsonObject, key: string): bigint | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v === 'string' && /^\d{1,19}$/.test(v)) return BigInt(v);
  throw new SioProtocolError(`${key}: expected a sequence number (decimal string), got ${JSON.stringify(v)}`);
}

export function feedEventOf(value: unknown, what: string): FeedEvent {
  try {
    return fromJson(FeedEventSchema, value as JsonValue);
  } catch (error) {
    throw new SioProtocolError(`${what}: expected ${FeedEventSchema.typeName} in protobuf JSON (${error})`);
  }
}

export function chatMessageOf(value: unknown): ChatMessage {
  try {
    return fromJson(ChatMessageSchema, value as JsonValue);
  } catch (error) {
    throw new SioProtocolError(`chat: expected ${ChatMessageSchema.typeName} in protobuf JSON (${error})`);
  }
}

/** Encodes a subscribe ack. */
export function subscribedJson(reply: SubscribedReply): {
  readonly lastSeq: string;
  readonly gap?: { readonly from: string; readonly to: string };
} {
  const gap = reply.gap ? { gap: { from: String(reply.gap.from), to: String(reply.gap.to) } } : {};
  return { lastSeq: String(reply.lastSeq), ...gap };
}

/** Decodes a subscribe ack (the client side), or SioProtocolError. */
export function subscribedOf(value: unknown): SubscribedReply {
  const o = objectOf(value, 'subscribe ack');
  const lastSeq = seqOf(o, 'lastSeq');
  if (lastSeq === undefined) throw new SioProtocolError('subscribe ack: expected lastSeq, got none');
  if (o.gap === undefined) return { lastSeq };
  const g = objectOf(o.gap, 'gap');
  const from = seqOf(g, 'from');
  const to = seqOf(g, 'to');
  if (from === undefined || to === undefined)
    throw new SioProtocolError('gap: expected from and to, got a part');
  return { lastSeq, gap: { from, to } };
}

/** The `error` of an ack or a `failure` event, when there is one. */
export function wireErrorOf(value: unknown): WireError | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const e = (value as { error?: unknown }).error ?? value;
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code !== 'string') return undefined;
  return { code, message: typeof message === 'string' ? message : '' };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'no payload';
  return typeof value;
}
