import { ClientError } from '../../clients/errors.js';
import { errorOf } from '../../clients/websocket/connection.js';
import { type ClientFrame, FrameError, type ServerFrame } from '../../services/websocket/frame-types.js';
import { asServerFrame } from '../../services/websocket/frames.js';
import { closeName } from './codes.js';
import { encodeStreamFrame, FrameReader, type SentFrame } from './frames.js';
import type { CloseInfo, PushStream } from './types.js';

/** Largest frame a client accepts from the server (a big event plus its envelope). */
export const CLIENT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * An `error` frame (or any unexpected reply) as the ClientError it stands
 * for: the same frames as WebSocket, so the same mapping.
 */
export const errorOfFrame = errorOf;

/** A lost session as UNAVAILABLE, naming the close code the server gave. */
export function lostError(what: string, info: CloseInfo | undefined): ClientError {
  const why = info ? `closed with ${closeName(info.code)}${info.reason ? `: ${info.reason}` : ''}` : 'lost';
  return new ClientError('UNAVAILABLE', `${what}: session ${why}`, info?.code);
}

/** Writes one client frame on a stream. */
export function sendFrame(stream: PushStream, frame: ClientFrame): void {
  stream.send(encodeStreamFrame(frame));
}

/**
 * The server frames of a subscription stream, in order, decoded from its
 * chunks, `sent` notices included. Ends at the server's FIN; throws on a
 * reset, a lost session or a frame that does not decode (the caller then
 * treats the session as broken).
 */
export async function* subscriptionFrames(stream: PushStream): AsyncGenerator<ServerFrame | SentFrame> {
  const reader = new FrameReader(CLIENT_MAX_FRAME_BYTES);
  for await (const chunk of stream.chunks) {
    for (const frame of reader.push(chunk)) {
      if (frame.type === 'closing') throw new FrameError('frame type: expected a server frame, got closing');
      yield frame.type === 'sent' ? frame : asServerFrame(frame);
    }
  }
}

/** The server frames of a publish or chat stream, where a `sent` notice has no place (a FrameError). */
export async function* serverFrames(stream: PushStream): AsyncGenerator<ServerFrame> {
  for await (const frame of subscriptionFrames(stream)) {
    if (frame.type === 'sent') throw new FrameError('frame type: expected a reply or an echo, got sent');
    yield frame;
  }
}
