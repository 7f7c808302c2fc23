import type { ProtocolId } from '../../../protocols/types.js';
import { CONNECT_CASES } from './connect.js';
import { GRAPHQL_CASES } from './graphql.js';
import { GRPC_CASES } from './grpc.js';
import { GRPC_WEB_CASES } from './grpc-web.js';
import { REST_CASES } from './rest.js';
import type { ProtocolCases } from './types.js';

export { REALTIME_MALFORMED_CASES } from './realtime/index.js';
export type {
  Expectation,
  FramesCase,
  FramesTarget,
  MalformedCase,
  ProtocolCases,
  RawBody,
  RawRequest,
  RawSession,
  RealtimeCases,
  StreamCase,
  StreamCases,
  TransportExpectation,
} from './types.js';
export { expectationOn, MAX_BODY_BYTES, OVERSIZE } from './types.js';

/**
 * The malformed-input cases of each request/response protocol. The driver
 * fails for a registry entry missing here: a new protocol brings its cases.
 */
export const MALFORMED_CASES: Partial<Record<ProtocolId, ProtocolCases>> = {
  rest: REST_CASES,
  graphql: GRAPHQL_CASES,
  grpc: GRPC_CASES,
  'grpc-web': GRPC_WEB_CASES,
  connect: CONNECT_CASES,
};
