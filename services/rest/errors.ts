import { CoreError, type CoreErrorCode } from '../core/index.js';

/** Error codes on the REST surface: the core's codes plus what only HTTP can get wrong. */
export type RestErrorCode = CoreErrorCode | 'UNIMPLEMENTED';

/** The JSON every error response carries, so clients never parse HTML or plain text. */
export interface RestErrorBody {
  readonly error: { readonly code: RestErrorCode; readonly message: string; readonly httpStatus: number };
}

/** CoreError code → HTTP status. CANCELLED is nginx's 499 "client closed request". */
const STATUS_OF: Record<RestErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  // 413 rather than 429: the limits the core enforces are about size, not rate.
  RESOURCE_EXHAUSTED: 413,
  CANCELLED: 499,
  INTERNAL: 500,
  UNIMPLEMENTED: 501,
};

/**
 * A failure the adapter itself detects (routing, media type, body size,
 * parsing). It carries its HTTP status explicitly because several statuses
 * (405, 415) share one code.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: RestErrorCode,
    message: string,
    /** Extra response headers, e.g. `Allow` on a 405. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  static badRequest(message: string): HttpError {
    return new HttpError(400, 'INVALID_ARGUMENT', message);
  }

  static tooLarge(limit: number, got: string): HttpError {
    return new HttpError(413, 'RESOURCE_EXHAUSTED', `body: expected at most ${limit} bytes, got ${got}`);
  }
}

/**
 * Maps anything a route threw to one error response. Domain and adapter
 * errors keep their message (it says what was expected and what arrived);
 * anything else is a bug and becomes a bare 500 — no message or stack leaks.
 */
export function errorResponse(error: unknown): Response {
  let status = 500;
  let code: RestErrorCode = 'INTERNAL';
  let message = 'internal error';
  let headers: Readonly<Record<string, string>> = {};
  if (error instanceof HttpError) {
    ({ status, code, message, headers } = error);
  } else if (error instanceof CoreError) {
    ({ code, message } = error);
    status = STATUS_OF[code];
  }
  const bytes = new TextEncoder().encode(errorText(code, message, status));
  return new Response(bytes, {
    status,
    headers: { ...headers, 'content-type': 'application/json', 'content-length': String(bytes.byteLength) },
  });
}

/** The serialized error body; NDJSON streams also end with one such line when they fail midway. */
export function errorText(code: RestErrorCode, message: string, httpStatus: number): string {
  const body: RestErrorBody = { error: { code, message, httpStatus } };
  return JSON.stringify(body);
}

/** The status a core code maps to, for errors that surface inside a 200 stream. */
export function statusOf(code: RestErrorCode): number {
  return STATUS_OF[code];
}
