import { decodeBinaryFrame, encodeBinaryFrame } from '../../services/websocket/binary-frames.js';
import { type Frame, FrameError } from '../../services/websocket/frame-types.js';
import { readVarint, varintLength, writeVarint } from './varint.js';

/**
 * Framing for push protocols that ride on byte streams (WebTransport
 * streams, raw QUIC streams): each message is a 4-byte big-endian length,
 * then the WebSocket binary frame (services/websocket/binary-frames.ts: a
 * type byte and protobuf bytes). A stream has no message boundaries of its
 * own, so the length prefix adds them; the frame codec is reused so every
 * push protocol speaks the same messages.
 */
export const LENGTH_BYTES = 4;

/**
 * The one frame only the stream push protocols have (WebSocket has no
 * datagrams): server → client on a datagram subscription's stream, `sent`
 * says every event through `seq` has been sent as a datagram (or moved).
 * The server sends it once the flow has been quiet for a moment
 * (TAIL_NOTICE_MS), so a client learns that the last datagrams before a
 * pause were lost — no later seq would ever tell it. Wire: 0x1b, then
 * `seq` as a varint.
 */
export const SENT_TYPE = 0x1b;
export interface SentFrame {
  readonly type: 'sent';
  readonly seq: bigint;
}
/**
 * Client → server, alone on a stream of its own: `closing` says the client
 * is about to close the session normally. The server frees the session at
 * once and ends that stream, which tells the client its CONNECTION_CLOSE can
 * go. Raw QUIC needs it: a server learns of a peer's CONNECTION_CLOSE only
 * when quiche's draining period (3 × PTO, RFC 9000 §10.2.2) has run out —
 * seconds on a loaded machine — see clients/quic/client.ts. Wire: 0x1c alone.
 */
export const CLOSING_TYPE = 0x1c;
export interface ClosingFrame {
  readonly type: 'closing';
}
/** What travels on a push stream: the shared frames, plus `sent` and `closing`. */
export type PushFrame = Frame | SentFrame | ClosingFrame;

/** A frame whose declared length is over the limit: the peer is refused before the body is buffered. */
export class FrameTooLarge extends FrameError {
  constructor(
    readonly declared: number,
    readonly limit: number,
  ) {
    super(`frame length: expected at most ${limit} bytes, got ${declared}`);
  }
}

const eventCache = new WeakMap<object, Uint8Array>();

/** Length prefix + binary frame; an event is encoded once however many streams carry it. */
export function encodeStreamFrame(frame: PushFrame): Uint8Array {
  if (frame.type === 'sent') {
    const body = new Uint8Array(1 + varintLength(frame.seq));
    body[0] = SENT_TYPE;
    writeVarint(body, 1, frame.seq);
    return prefixed(body);
  }
  if (frame.type === 'closing') return prefixed(Uint8Array.of(CLOSING_TYPE));
  if (frame.type === 'event') {
    let bytes = eventCache.get(frame.event);
    if (!bytes) {
      bytes = prefixed(encodeBinaryFrame(frame));
      eventCache.set(frame.event, bytes);
    }
    return bytes;
  }
  return prefixed(encodeBinaryFrame(frame));
}

function prefixed(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(LENGTH_BYTES + body.byteLength);
  new DataView(out.buffer).setUint32(0, body.byteLength);
  out.set(body, LENGTH_BYTES);
  return out;
}

/**
 * Reassembles frames from stream chunks of any size. `push` returns the
 * frames completed by a chunk; it throws FrameTooLarge as soon as a length
 * prefix exceeds `maxBytes` (nothing of that body is buffered) and
 * FrameError for a body that does not decode, or an empty one.
 */
export class FrameReader {
  private parts: Uint8Array[] = [];
  private buffered = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes received that do not yet form a whole frame. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): PushFrame[] {
    if (chunk.byteLength === 0) return [];
    this.parts.push(chunk);
    this.buffered += chunk.byteLength;
    const frames: PushFrame[] = [];
    for (;;) {
      if (this.buffered < LENGTH_BYTES) return frames;
      const head = this.peek(LENGTH_BYTES);
      const length = new DataView(head.buffer, head.byteOffset, LENGTH_BYTES).getUint32(0);
      if (length > this.maxBytes) throw new FrameTooLarge(length, this.maxBytes);
      if (length === 0) throw new FrameError('frame length: expected at least 1 byte (the type), got 0');
      if (this.buffered < LENGTH_BYTES + length) return frames;
      const bytes = this.take(LENGTH_BYTES + length).subarray(LENGTH_BYTES);
      frames.push(
        bytes[0] === SENT_TYPE
          ? decodeSent(bytes)
          : bytes[0] === CLOSING_TYPE
            ? decodeClosing(bytes)
            : decodeBinaryFrame(bytes),
      );
    }
  }

  /** The first `n` buffered bytes, joined into one array only when they span chunks. */
  private peek(n: number): Uint8Array {
    const first = this.parts[0] as Uint8Array;
    if (first.byteLength >= n) return first;
    this.parts = [concat(this.parts, this.buffered)];
    return this.parts[0] as Uint8Array;
  }

  private take(n: number): Uint8Array {
    const joined = this.peek(n);
    const out = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.parts[0] = rest;
    if (rest.byteLength === 0) this.parts.shift();
    this.buffered -= n;
    return out;
  }
}

function decodeSent(bytes: Uint8Array): SentFrame {
  const seq = readVarint(bytes, 1);
  if (!seq || seq.next !== bytes.byteLength) {
    throw new FrameError(
      `sent frame: expected a type byte and one varint seq, got ${bytes.byteLength} bytes`,
    );
  }
  return { type: 'sent', seq: seq.value };
}

function decodeClosing(bytes: Uint8Array): ClosingFrame {
  if (bytes.byteLength !== 1) {
    throw new FrameError(`closing frame: expected the type byte alone, got ${bytes.byteLength} bytes`);
  }
  return { type: 'closing' };
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
