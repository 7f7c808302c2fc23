/**
 * gRPC adapter (grpc-js over HTTP/2): `start` serves FeedService from the one
 * `.proto` through protobuf-es descriptors — no proto-loader, no second schema.
 */
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
