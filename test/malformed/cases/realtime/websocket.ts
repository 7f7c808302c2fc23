import { frame, OP } from '../../../realtime/raw-ws.js';
import { MAX_BODY_BYTES, OVERSIZE, type RealtimeCases } from '../types.js';

const text = (payload: string | Uint8Array) => () => frame({ opcode: OP.text, payload });

/**
 * WebSocket (`ws` on /ws, JSON subprotocol): a frame the server cannot take
 * closes that one connection with the RFC 6455 code for the fault — 1002
 * protocol error, 1007 invalid payload (also undecodable wirebench messages,
 * services/websocket/session.ts), 1009 too big; a plain HTTP request to the
 * upgrade-only endpoint is a 426.
 */
export const WEBSOCKET_CASES: RealtimeCases = {
  http: [
    {
      name: 'a plain GET without the Upgrade',
      request: { method: 'GET', path: '/ws' },
      expect: { status: 426, errorCode: 'UNIMPLEMENTED' },
    },
    {
      name: 'a POST to the upgrade-only endpoint',
      request: {
        method: 'POST',
        path: '/publish/malformed',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      expect: { status: 426, errorCode: 'UNIMPLEMENTED' },
    },
  ],
  frames: [
    {
      name: 'bad publish JSON',
      frames: text('{"type":"publish","id":1,"topic":"malformed","event":{"post":'),
      expect: { closeCode: 1007 },
    },
    {
      name: 'a publish whose event is not a FeedEvent',
      frames: text('{"type":"publish","id":1,"topic":"malformed","event":{"post":{"nope":1}}}'),
      expect: { closeCode: 1007 },
    },
    {
      name: 'an unknown message type',
      frames: text('{"type":"shout","id":1}'),
      expect: { closeCode: 1007 },
    },
    {
      name: `an oversize publish (${OVERSIZE} > ${MAX_BODY_BYTES} bytes)`,
      frames: text(
        JSON.stringify({
          type: 'publish',
          id: 1,
          topic: 'malformed',
          event: { post: { title: 'x'.repeat(OVERSIZE) } },
        }),
      ),
      expect: { closeCode: 1009 },
    },
    {
      name: 'invalid UTF-8 in a text frame',
      frames: text(Uint8Array.of(0xc3, 0x28)),
      expect: { closeCode: 1007 },
    },
    {
      name: 'a reserved bit set (no extension negotiated)',
      frames: () => frame({ opcode: OP.text, rsv: 0b100, payload: '{}' }),
      expect: { closeCode: 1002 },
    },
    {
      name: 'an unmasked client frame',
      frames: () => frame({ opcode: OP.text, payload: '{}', masked: false }),
      expect: { closeCode: 1002 },
    },
    {
      name: 'an unknown opcode',
      frames: () => frame({ opcode: 0x3, payload: 'x' }),
      expect: { closeCode: 1002 },
    },
    {
      name: 'a fragmented control frame',
      frames: () => frame({ opcode: OP.ping, fin: false }),
      expect: { closeCode: 1002 },
    },
  ],
};
