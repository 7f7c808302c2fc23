import { fromBinary } from '@bufbuild/protobuf';
import { type FeedEvent, FeedEventSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { BINARY_TYPES, encodeBinaryFrame } from '../../services/websocket/binary-frames.js';
import { readVarint, varintLength, writeVarint } from './varint.js';

/**
 * Datagram delivery of the stream push protocols (`delivery: 'datagrams'`,
 * negotiated in the subscribe frame; the `subscribed` reply names the
 * subscription's flow id). Subscribe, resume and errors stay on the
 * subscription's reliable stream; each event travels as one datagram (QUIC
 * DATAGRAM, RFC 9221; WebTransport datagrams):
 *
 *   event: 0x14 | flow (varint) | FeedEvent protobuf (seq, topic, sentAt, payload)
 *   moved: 0x1a | flow (varint) | seq (varint)
 *
 * The flow id demultiplexes several subscriptions of one session. An event
 * the transport will not take as a datagram (larger than the path allows
 * now, or datagrams not negotiated) is sent on the subscription stream
 * instead — never silently dropped — and announced by a `moved` datagram so
 * the client waits for it rather than declaring it lost.
 */
export const DATAGRAM_KIND = { event: BINARY_TYPES.event, moved: 0x1a } as const;

/** A received datagram, decoded; `undefined` from {@link decodeDatagram} when it is not one. */
export type Datagram =
  | { readonly kind: 'event'; readonly flow: number; readonly event: FeedEvent }
  | { readonly kind: 'moved'; readonly flow: number; readonly seq: bigint };

/** An event datagram for `flow`; the event's protobuf is encoded once however many flows carry it. */
export function encodeEventDatagram(flow: number, event: FeedEvent): Uint8Array {
  // The binary event frame is the type byte 0x14 then the FeedEvent: reuse its cached bytes.
  const frame = encodeBinaryFrame({ type: 'event', event });
  const head = varintLength(flow);
  const out = new Uint8Array(1 + head + frame.byteLength - 1);
  out[0] = DATAGRAM_KIND.event;
  writeVarint(out, 1, BigInt(flow));
  out.set(frame.subarray(1), 1 + head);
  return out;
}

/** The announcement that `seq` of `flow` comes on the subscription stream instead. */
export function encodeMovedDatagram(flow: number, seq: bigint): Uint8Array {
  const head = varintLength(flow);
  const out = new Uint8Array(1 + head + varintLength(seq));
  out[0] = DATAGRAM_KIND.moved;
  writeVarint(out, writeVarint(out, 1, BigInt(flow)), seq);
  return out;
}

/**
 * Decodes a datagram, or returns undefined for one that is not a wirebench
 * datagram (unknown kind, truncated varint, a body that is not a FeedEvent):
 * an unreliable channel's garbage is counted and dropped by the caller, not
 * a reason to end the session.
 */
export function decodeDatagram(bytes: Uint8Array): Datagram | undefined {
  const flow = readVarint(bytes, 1);
  if (!flow || flow.value > 0xffff_ffffn) return undefined;
  const rest = bytes.subarray(flow.next);
  if (bytes[0] === DATAGRAM_KIND.event) {
    try {
      return { kind: 'event', flow: Number(flow.value), event: fromBinary(FeedEventSchema, rest) };
    } catch {
      return undefined;
    }
  }
  if (bytes[0] === DATAGRAM_KIND.moved) {
    const seq = readVarint(rest, 0);
    if (!seq || seq.next !== rest.byteLength) return undefined;
    return { kind: 'moved', flow: Number(flow.value), seq: seq.value };
  }
  return undefined;
}
