import type { EncodingId } from '../../protocols/types.js';
import type { ChatMessage, FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { Gap } from '../realtime/types.js';

/**
 * The wirebench WebSocket message protocol, defined once and encoded two ways
 * (see json-frames.ts and binary-frames.ts). Requests carry an `id` the reply
 * repeats; `event` and `echo` frames carry none — order on the socket is
 * theirs. A connection subscribes to a topic at most once.
 *
 * client → server: subscribe, unsubscribe, publish, echo
 * server → client: subscribed, unsubscribed, published, event, echo, error
 */
export type Frame =
  /**
   * Start receiving `topic`; with `afterSeq`, first the retained events after it (resume).
   * `delivery` (binary frames, stream push protocols only): `datagrams` asks for the events as
   * datagrams (lib/push-streams/datagrams.ts); absent means `streams`. WebSocket ignores it.
   */
  | {
      readonly type: 'subscribe';
      readonly id: number;
      readonly topic: string;
      readonly afterSeq?: bigint;
      readonly delivery?: Delivery;
    }
  | { readonly type: 'unsubscribe'; readonly id: number; readonly topic: string }
  /** Publish a payload (`post` or `comment`); the hub assigns seq, topic and sentAt. */
  | {
      readonly type: 'publish';
      readonly id: number;
      readonly topic: string;
      readonly payload: FeedEvent['payload'];
    }
  /** Chat (bidi): the server echoes every message back, stamped with its own time, in order. */
  | { readonly type: 'echo'; readonly message: ChatMessage }
  /**
   * `lastSeq`: the resume point this subscription starts after; `gap`: what resuming could not deliver;
   * `flow`: with datagram delivery, the id every datagram of this subscription carries.
   */
  | {
      readonly type: 'subscribed';
      readonly id: number;
      readonly topic: string;
      readonly lastSeq: bigint;
      readonly gap?: Gap;
      readonly flow?: number;
    }
  | { readonly type: 'unsubscribed'; readonly id: number; readonly topic: string }
  | { readonly type: 'published'; readonly id: number; readonly event: FeedEvent }
  | { readonly type: 'event'; readonly event: FeedEvent }
  /** A refused request (`id` set) or a connection-level failure (no id). `code` is a CoreError code. */
  | { readonly type: 'error'; readonly id?: number; readonly code: string; readonly message: string };

export type FrameType = Frame['type'];
/** How a stream push subscription's events travel: on its stream (reliable) or as datagrams (unreliable). */
export type Delivery = 'streams' | 'datagrams';
/** Frames a client may send; the server refuses anything else with 1007. */
export type ClientFrame = Extract<Frame, { type: 'subscribe' | 'unsubscribe' | 'publish' | 'echo' }>;
/** Frames a server may send. */
export type ServerFrame = Exclude<Frame, { type: 'subscribe' | 'unsubscribe' | 'publish' }>;

/** Sec-WebSocket-Protocol values; the negotiated one fixes the encoding of every frame on the connection. */
export const SUBPROTOCOLS: Readonly<Record<EncodingId, string>> = {
  json: 'wirebench.v1.json',
  proto: 'wirebench.v1.proto',
};

/** The HTTP path the WebSocket upgrade is served on. */
export const WS_PATH = '/ws';

/** A frame that does not decode: the peer broke the protocol (the server closes with 1007). */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

/** The encoding a negotiated subprotocol stands for (none negotiated: JSON). */
export function encodingOf(subprotocol: string): EncodingId {
  return subprotocol === SUBPROTOCOLS.proto ? 'proto' : 'json';
}
