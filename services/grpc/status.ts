import { type StatusObject, status } from '@grpc/grpc-js';
import { CoreError, type CoreErrorCode } from '../core/index.js';

/** CoreError code → gRPC status: the names are gRPC's, so the mapping is one to one. */
const STATUS_OF: Record<CoreErrorCode, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  CANCELLED: status.CANCELLED,
  INTERNAL: status.INTERNAL,
};

/** The status grpc-js sends back, in the shape its callbacks and `emit('error')` accept. */
export type GrpcStatus = Pick<StatusObject, 'code' | 'details'>;

/**
 * Maps whatever a handler threw to a gRPC status. Domain errors keep their
 * message (it says what was expected and what arrived); anything else is a
 * bug and becomes a bare INTERNAL, so no message or stack trace leaks to callers.
 */
export function toGrpcStatus(error: unknown): GrpcStatus {
  if (error instanceof CoreError) return { code: STATUS_OF[error.code], details: error.message };
  return { code: status.INTERNAL, details: 'internal error' };
}
