import { frame, OP } from '../../../realtime/raw-ws.js';
import { type FramesCase, type FramesTarget, MAX_BODY_BYTES, OVERSIZE } from '../types.js';

const SUBSCRIBE = 'subscription T($topic: String!) { topic(topic: $topic) { __typename } }';

/** Text frames (masked, as a client must send them), one per message, written back to back. */
const texts =
  (...messages: (string | object)[]) =>
  () =>
    Buffer.concat(
      messages.map((m) => frame({ opcode: OP.text, payload: typeof m === 'string' ? m : JSON.stringify(m) })),
    );
const INIT = { type: 'connection_init' };
/** The graphql-transport-ws handshake: a subscribe may follow only once the server acknowledged. */
const OPENING = { frames: texts(INIT), reply: { type: 'connection_ack' } };
const subscribe = (id: string, query: string, variables: object = { topic: 'malformed' }) => ({
  type: 'subscribe',
  id,
  payload: { query, variables },
});

/**
 * GraphQL over WebSocket (graphql-ws, the graphql-transport-ws subprotocol on
 * `/graphql`, h1 and h1s only): a protocol fault closes that one connection
 * with graphql-ws's close code (4400 a message that is not JSON or not a
 * known message, 4401 a subscribe before `connection_init`, 4409 an id
 * already in use, 4429 a second `connection_init`), a framing fault or an
 * oversize message with ws's RFC 6455 code; a query that does not parse or
 * validate is an `error` message for its id and the connection goes on.
 * After each case a new graphql-ws client connection must still subscribe
 * and receive.
 */
export const GRAPHQL_WS_FRAMES_ON: FramesTarget = {
  path: '/graphql',
  subprotocol: 'graphql-transport-ws',
  transports: ['h1', 'h1s'],
  variant: 'websocket',
};

export const GRAPHQL_WS_FRAMES: readonly FramesCase[] = [
  {
    name: 'a message that is not JSON',
    opening: OPENING,
    frames: texts('{"type":'),
    expect: { closeCode: 4400 },
  },
  {
    name: 'an unknown message type',
    opening: OPENING,
    frames: texts({ type: 'shout' }),
    expect: { closeCode: 4400 },
  },
  {
    name: 'a subscribe with no query',
    opening: OPENING,
    frames: texts({ type: 'subscribe', id: '1', payload: {} }),
    expect: { closeCode: 4400 },
  },
  {
    name: 'a subscribe before connection_init',
    frames: texts(subscribe('1', SUBSCRIBE)),
    expect: { closeCode: 4401 },
  },
  { name: 'a second connection_init', opening: OPENING, frames: texts(INIT), expect: { closeCode: 4429 } },
  {
    name: 'a second subscribe under a live id',
    opening: OPENING,
    frames: texts(subscribe('1', SUBSCRIBE), subscribe('1', SUBSCRIBE)),
    expect: { closeCode: 4409 },
  },
  {
    name: 'a query that does not parse',
    opening: OPENING,
    frames: texts(subscribe('1', 'subscription { topic(topic: "t") { ')),
    expect: { reply: { type: 'error', id: '1', 'payload.0.extensions.code': 'GRAPHQL_PARSE_FAILED' } },
  },
  {
    name: 'a query that does not validate',
    opening: OPENING,
    frames: texts(subscribe('2', 'subscription { nope }')),
    expect: { reply: { type: 'error', id: '2', 'payload.0.extensions.code': 'GRAPHQL_VALIDATION_FAILED' } },
  },
  {
    name: 'a subscription the core refuses (empty topic)',
    opening: OPENING,
    frames: texts(subscribe('3', SUBSCRIBE, { topic: '' })),
    expect: { reply: { type: 'next', id: '3', 'payload.errors.0.extensions.code': 'INVALID_ARGUMENT' } },
  },
  {
    name: `an oversize message (${OVERSIZE} > ${MAX_BODY_BYTES} bytes)`,
    opening: OPENING,
    frames: texts(subscribe('1', `# ${'x'.repeat(OVERSIZE)}\n${SUBSCRIBE}`)),
    expect: { closeCode: 1009 },
  },
  {
    name: 'invalid UTF-8 in a text frame',
    frames: () => frame({ opcode: OP.text, payload: Uint8Array.of(0xc3, 0x28) }),
    expect: { closeCode: 1007 },
  },
  {
    name: 'an unmasked client frame',
    frames: () => frame({ opcode: OP.text, payload: JSON.stringify(INIT), masked: false }),
    expect: { closeCode: 1002 },
  },
];
