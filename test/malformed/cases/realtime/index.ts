import type { ProtocolId } from '../../../../protocols/types.js';
import type { RealtimeCases } from '../types.js';
import { CONNECT_PUSH_CASES } from './connect.js';
import { GRAPHQL_PUSH_CASES } from './graphql.js';
import { GRPC_PUSH_CASES } from './grpc.js';
import { LONG_POLL_CASES } from './long-poll.js';
import { QUIC_CASES } from './quic.js';
import { SOCKETIO_CASES } from './socketio.js';
import { SSE_CASES } from './sse.js';
import { WEBSOCKET_CASES } from './websocket.js';
import { WEBTRANSPORT_CASES } from './webtransport.js';

/**
 * The malformed-input cases of each push protocol (protocols/realtime-registry.ts).
 * The realtime driver fails for an entry missing here and names it: a new
 * push protocol brings its cases.
 */
export const REALTIME_MALFORMED_CASES: Partial<Record<ProtocolId, RealtimeCases>> = {
  websocket: WEBSOCKET_CASES,
  sse: SSE_CASES,
  'long-poll': LONG_POLL_CASES,
  socketio: SOCKETIO_CASES,
  grpc: GRPC_PUSH_CASES,
  connect: CONNECT_PUSH_CASES,
  graphql: GRAPHQL_PUSH_CASES,
  webtransport: WEBTRANSPORT_CASES,
  quic: QUIC_CASES,
};
