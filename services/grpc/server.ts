import { GRPC_SERVER, startRpcServer } from '../connect-common/index.js';
import type { StartServer } from '../types.js';
import { startGrpcJs } from './grpc-js-server.js';

/**
 * Starts FeedService and TopicService over gRPC, driven by the protobuf-es
 * descriptors of the one `.proto`. `h2c` (cleartext) and `h2` (the run's TLS
 * material) run on grpc-js (grpc-js-server.ts); request messages above
 * `maxBodyBytes` are refused by grpc-js itself with RESOURCE_EXHAUSTED. `h3`
 * runs on connect-es instead, with only its gRPC protocol switched on
 * (services/connect-common over lib/http3): grpc-js has no HTTP/3. Same
 * routes over the same core, so the answers are the same; connect-es
 * enforces `maxBodyBytes` per message, as grpc-js does.
 */
export const start: StartServer = async (core, options) => {
  if (options.transport === 'h3') return startRpcServer(core, options, GRPC_SERVER);
  return startGrpcJs(core, options);
};
