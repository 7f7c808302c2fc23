/**
 * The domain's one error type. Every adapter maps {@link CoreErrorCode} to its
 * protocol's status (HTTP status, gRPC code, GraphQL extension code), so the
 * same failure reads the same way on every protocol.
 */
export type CoreErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'RESOURCE_EXHAUSTED'
  | 'CANCELLED'
  | 'INTERNAL';

export class CoreError extends Error {
  override readonly name = 'CoreError';
  constructor(
    readonly code: CoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Throws INVALID_ARGUMENT unless `ok`; the message says what was expected and what arrived. */
export function expectArg(ok: boolean, field: string, expected: string, got: unknown): asserts ok {
  if (!ok) {
    throw new CoreError('INVALID_ARGUMENT', `${field}: expected ${expected}, got ${describe(got)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…"` : `"${value}"`;
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}
