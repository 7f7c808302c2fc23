import { type ServiceError, status } from '@grpc/grpc-js';
import { ClientError, type ClientErrorCode } from '../errors.js';

/**
 * gRPC status → ClientError code. The shared codes are gRPC's own names, so
 * most map by name; the few gRPC codes the bench never expects from this
 * service collapse to UNKNOWN (the number stays in `protocolStatus`).
 */
const CODE_OF: Partial<Record<status, ClientErrorCode>> = {
  [status.CANCELLED]: 'CANCELLED',
  [status.UNKNOWN]: 'UNKNOWN',
  [status.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [status.DEADLINE_EXCEEDED]: 'DEADLINE_EXCEEDED',
  [status.NOT_FOUND]: 'NOT_FOUND',
  [status.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [status.RESOURCE_EXHAUSTED]: 'RESOURCE_EXHAUSTED',
  [status.UNIMPLEMENTED]: 'UNIMPLEMENTED',
  [status.INTERNAL]: 'INTERNAL',
  [status.UNAVAILABLE]: 'UNAVAILABLE',
  [status.DATA_LOSS]: 'INTERNAL',
};

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number';
}

/** Whatever a grpc-js call failed with, as the one error type the bench understands. */
export function toClientError(error: unknown): ClientError {
  if (error instanceof ClientError) return error;
  if (isServiceError(error)) {
    const code = CODE_OF[error.code as status] ?? 'UNKNOWN';
    return new ClientError(code, `grpc: ${status[error.code] ?? error.code}: ${error.details}`, error.code);
  }
  return new ClientError('UNKNOWN', `grpc: ${error instanceof Error ? error.message : String(error)}`);
}

/** The error for a call whose AbortSignal fired before it was sent. */
export function cancelledBeforeStart(): ClientError {
  return new ClientError(
    'CANCELLED',
    'grpc: call cancelled by the caller before it was sent',
    status.CANCELLED,
  );
}
