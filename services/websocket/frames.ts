import type { EncodingId } from '../../protocols/types.js';
import { decodeBinaryFrame, encodeBinaryFrame } from './binary-frames.js';
import { type ClientFrame, type Frame, FrameError, type ServerFrame } from './frame-types.js';
import { decodeJsonFrame, encodeJsonFrame } from './json-frames.js';

/** Encodes a frame: a JSON text frame (`string`) or a binary envelope (`Uint8Array`). */
export function encodeFrame(frame: Frame, encoding: EncodingId): string | Uint8Array {
  return encoding === 'json' ? encodeJsonFrame(frame) : encodeBinaryFrame(frame);
}

/** Decodes a received message by its WebSocket frame type: text → JSON, binary → envelope. */
export function decodeFrame(data: Buffer, isBinary: boolean): Frame {
  return isBinary ? decodeBinaryFrame(data) : decodeJsonFrame(data.toString('utf8'));
}

/** Narrows to what a client may send, or throws FrameError. */
export function asClientFrame(frame: Frame): ClientFrame {
  if (
    frame.type === 'subscribe' ||
    frame.type === 'unsubscribe' ||
    frame.type === 'publish' ||
    frame.type === 'echo'
  ) {
    return frame;
  }
  throw new FrameError(`frame type: expected subscribe, unsubscribe, publish or echo, got ${frame.type}`);
}

/** Narrows to what a server may send, or throws FrameError. */
export function asServerFrame(frame: Frame): ServerFrame {
  if (frame.type === 'subscribe' || frame.type === 'unsubscribe' || frame.type === 'publish') {
    throw new FrameError(`frame type: expected a server frame, got ${frame.type}`);
  }
  return frame;
}
