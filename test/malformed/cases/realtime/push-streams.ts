import { CLOSE } from '../../../../lib/push-streams/codes.js';
import { LENGTH_BYTES, SENT_TYPE } from '../../../../lib/push-streams/frames.js';
import { BINARY_TYPES } from '../../../../services/websocket/binary-frames.js';
import { TRUNCATED_PROTOBUF } from '../rpc.js';
import { MAX_BODY_BYTES, type StreamCase } from '../types.js';

/** A length prefix declaring `declared` bytes, then `body` (which may be shorter or longer). */
function prefixed(declared: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(LENGTH_BYTES + body.byteLength);
  new DataView(out.buffer).setUint32(0, declared);
  out.set(body, LENGTH_BYTES);
  return out;
}

const frame = (body: Uint8Array): Uint8Array => prefixed(body.byteLength, body);

/**
 * Malformed first frames on a push-streams session (lib/push-streams: a
 * 4-byte length, then a type byte and protobuf), shared by the protocols
 * that ride it. A frame the server cannot decode closes the whole session
 * with the WebSocket code for the fault (lib/push-streams/codes.ts); a
 * subscribe asking for a delivery that does not exist is such a frame.
 */
export const PUSH_STREAM_CASES: readonly StreamCase[] = [
  {
    name: `a length prefix over the limit (${MAX_BODY_BYTES + 1} > ${MAX_BODY_BYTES})`,
    bytes: prefixed(MAX_BODY_BYTES + 1, Uint8Array.of(BINARY_TYPES.subscribe)),
    expect: { closeCode: CLOSE.tooBig },
  },
  {
    name: 'a zero-length frame',
    bytes: prefixed(0, new Uint8Array(0)),
    expect: { closeCode: CLOSE.invalidFrame },
  },
  {
    name: 'an unknown frame type',
    bytes: frame(Uint8Array.of(0x7e, 0x0a, 0x01, 0x74)),
    expect: { closeCode: CLOSE.invalidFrame },
  },
  {
    name: 'a subscribe with truncated protobuf',
    bytes: frame(Uint8Array.of(BINARY_TYPES.subscribe, ...TRUNCATED_PROTOBUF)),
    expect: { closeCode: CLOSE.invalidFrame },
  },
  {
    name: 'a server-only frame (event) from the client',
    bytes: frame(Uint8Array.of(BINARY_TYPES.event)),
    expect: { closeCode: CLOSE.invalidFrame },
  },
  {
    name: 'a server-only sent notice from the client',
    bytes: frame(Uint8Array.of(SENT_TYPE, 0x01)),
    expect: { closeCode: CLOSE.invalidFrame },
  },
  {
    // id 1, topic "t", delivery (field 9) = 7: only 0 (streams) and 1 (datagrams) exist.
    name: 'a subscribe with an unknown delivery value',
    bytes: frame(Uint8Array.of(BINARY_TYPES.subscribe, 0x08, 0x01, 0x12, 0x01, 0x74, 0x48, 0x07)),
    expect: { closeCode: CLOSE.invalidFrame },
  },
  {
    // delivery (field 9) sent length-delimited (wire type 2) instead of as a varint.
    name: 'a subscribe whose delivery has the wrong wire type',
    bytes: frame(Uint8Array.of(BINARY_TYPES.subscribe, 0x08, 0x01, 0x12, 0x01, 0x74, 0x4a, 0x01, 0x01)),
    expect: { closeCode: CLOSE.invalidFrame },
  },
];
