import { Code, ConnectError } from '@connectrpc/connect';
import { CoreError, type CoreErrorCode } from '../core/index.js';

/** CoreError code → Connect code: both use gRPC's names, so the mapping is one to one. */
const CODE_OF: Record<CoreErrorCode, Code> = {
  INVALID_ARGUMENT: Code.InvalidArgument,
  NOT_FOUND: Code.NotFound,
  ALREADY_EXISTS: Code.AlreadyExists,
  RESOURCE_EXHAUSTED: Code.ResourceExhausted,
  CANCELLED: Code.Canceled,
  INTERNAL: Code.Internal,
};

/**
 * Maps whatever a handler threw to the error connect-es sends. Domain errors
 * keep their message (it says what was expected and what arrived); connect-es'
 * own errors (undecodable messages, size limits) pass through unchanged;
 * anything else is a bug and becomes a bare Internal — connect-es would
 * otherwise send its message as `unknown`, leaking internals to callers.
 */
export function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof CoreError) return new ConnectError(error.message, CODE_OF[error.code]);
  return new ConnectError('internal error', Code.Internal);
}
