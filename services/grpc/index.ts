/**
 * gRPC adapter (grpc-js over HTTP/2; connect-es' gRPC protocol over HTTP/3,
 * which grpc-js lacks): `start` serves FeedService from the one
 * `.proto` through protobuf-es descriptors — no proto-loader, no second schema —
 * and TopicService (topics with resume) for the realtime client.
 */
export { GRPC_JS_TRANSPORTS, startGrpcJs } from './grpc-js-server.js';
export { start } from './server.js';
export {
  type ClientMethodDefinition,
  clientMethodDefinition,
  clientServiceDefinition,
  encodeMessage,
  grpcPath,
  serverServiceDefinition,
  type TypedDescMethod,
} from './service-definition.js';
export { type GrpcStatus, toGrpcStatus } from './status.js';
