import { Code, ConnectError } from '@connectrpc/connect';
import { ClientError, type ClientErrorCode } from '../errors.js';

/**
 * Connect code → ClientError code. Connect's codes are gRPC's (same numbers,
 * same meanings), so most map by name; the few this service never sends
 * collapse to UNKNOWN (the number stays in `protocolStatus`).
 */
const CODE_OF: Partial<Record<Code, ClientErrorCode>> = {
  [Code.Canceled]: 'CANCELLED',
  [Code.Unknown]: 'UNKNOWN',
  [Code.InvalidArgument]: 'INVALID_ARGUMENT',
  [Code.DeadlineExceeded]: 'DEADLINE_EXCEEDED',
  [Code.NotFound]: 'NOT_FOUND',
  [Code.AlreadyExists]: 'ALREADY_EXISTS',
  [Code.ResourceExhausted]: 'RESOURCE_EXHAUSTED',
  [Code.Unimplemented]: 'UNIMPLEMENTED',
  [Code.Internal]: 'INTERNAL',
  [Code.Unavailable]: 'UNAVAILABLE',
  [Code.DataLoss]: 'INTERNAL',
  // connect-node's name for a connection cut mid-response ("aborted"): the peer went away.
  [Code.Aborted]: 'UNAVAILABLE',
};

/**
 * Whatever a connect-es call failed with, as the one error type the bench
 * understands. connect-es already turns HTTP statuses and socket errors into
 * a ConnectError; `ConnectError.from` covers anything else (as `unknown`).
 */
export function toClientError(protocol: string, error: unknown): ClientError {
  if (error instanceof ClientError) return error;
  const cause = ConnectError.from(error);
  const code = CODE_OF[cause.code] ?? 'UNKNOWN';
  return new ClientError(code, `${protocol}: ${Code[cause.code]}: ${cause.rawMessage}`, cause.code);
}
