/**
 * Status codes a call can fail with, whatever the protocol: the gRPC code
 * names, which every other protocol's statuses map onto (HTTP 400 →
 * INVALID_ARGUMENT, 404 → NOT_FOUND, 413 → RESOURCE_EXHAUSTED, …).
 */
export type ClientErrorCode =
  | 'CANCELLED'
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'RESOURCE_EXHAUSTED'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE';

/** The one error class clients throw: a stable code plus the protocol's own status for the record. */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    /** The protocol's raw status (HTTP status, gRPC status number), when there was one. */
    readonly protocolStatus?: number | string,
  ) {
    super(message);
  }
}

/** HTTP status → code, as gRPC's HTTP mapping does it; used by every HTTP-based client. */
export function codeFromHttpStatus(status: number): ClientErrorCode {
  if (status === 400 || status === 422) return 'INVALID_ARGUMENT';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'ALREADY_EXISTS';
  if (status === 413 || status === 429) return 'RESOURCE_EXHAUSTED';
  if (status === 415 || status === 405 || status === 501 || status === 505) return 'UNIMPLEMENTED';
  if (status === 408 || status === 504) return 'DEADLINE_EXCEEDED';
  if (status === 499) return 'CANCELLED';
  if (status === 502 || status === 503) return 'UNAVAILABLE';
  if (status >= 500) return 'INTERNAL';
  return 'UNKNOWN';
}
