import { ClientError, type ClientErrorCode, codeFromHttpStatus } from '../errors.js';

/** The client codes, so an `extensions.code` that is one of them (every CoreError code) passes straight through. */
const CLIENT_CODES = new Set<string>([
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'RESOURCE_EXHAUSTED',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
] satisfies ClientErrorCode[]);

/** yoga's and this adapter's own codes, mapped as their HTTP statuses would be (see services/graphql). */
const GRAPHQL_CODES: Readonly<Record<string, ClientErrorCode>> = {
  GRAPHQL_PARSE_FAILED: 'INVALID_ARGUMENT',
  GRAPHQL_VALIDATION_FAILED: 'INVALID_ARGUMENT',
  BAD_USER_INPUT: 'INVALID_ARGUMENT',
  BAD_REQUEST: 'INVALID_ARGUMENT',
  DEPTH_LIMIT: 'INVALID_ARGUMENT',
  PERSISTED_QUERY_NOT_FOUND: 'INVALID_ARGUMENT',
  COST_LIMIT: 'RESOURCE_EXHAUSTED',
  REQUEST_ENTITY_TOO_LARGE: 'RESOURCE_EXHAUSTED',
  UNSUPPORTED_MEDIA_TYPE: 'UNIMPLEMENTED',
  INTERNAL_SERVER_ERROR: 'INTERNAL',
};

interface GraphqlError {
  readonly message?: unknown;
  readonly extensions?: { readonly code?: unknown };
}

/**
 * The first GraphQL error of a response as a ClientError: its
 * `extensions.code` when the client knows it (core codes pass through),
 * else the HTTP status's code. The raw `extensions.code` (or the status) is
 * kept as `protocolStatus` for the record.
 */
export function fromGraphqlErrors(errors: readonly unknown[], httpStatus: number): ClientError {
  const first = (errors[0] ?? {}) as GraphqlError;
  const raw = typeof first.extensions?.code === 'string' ? first.extensions.code : undefined;
  const code =
    raw === undefined ? undefined : CLIENT_CODES.has(raw) ? (raw as ClientErrorCode) : GRAPHQL_CODES[raw];
  const message = typeof first.message === 'string' ? first.message : 'no message';
  const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : '';
  return new ClientError(code ?? fromStatus(httpStatus), `graphql: ${message}${more}`, raw ?? httpStatus);
}

/** A non-2xx answer without a GraphQL error body. */
export function fromHttpStatus(status: number, body: string): ClientError {
  return new ClientError(
    fromStatus(status),
    `graphql: expected HTTP 2xx, got ${status} ${body.slice(0, 200)}`.trimEnd(),
    status,
  );
}

function fromStatus(status: number): ClientErrorCode {
  return status >= 200 && status < 300 ? 'UNKNOWN' : codeFromHttpStatus(status);
}
