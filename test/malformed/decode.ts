import type { Expectation } from './cases/index.js';
import type { RawResponse } from './send.js';

/**
 * Reads error codes from raw responses, by wire format rather than by
 * protocol name: the driver asks for what a case's expectation names
 * (`grpcStatus`, `connectCode`, `errorCode`) and this module knows where each
 * format puts it. Hand-written because the client libraries that could
 * decode these would also refuse to send the malformed requests.
 */

/** One length-prefixed frame of a gRPC, gRPC-Web or Connect streaming body. */
interface Frame {
  readonly flags: number;
  readonly data: Buffer;
}

/** Splits a body into envelopes (flags, uint32 length, data); a cut-off tail is an error, not ignored. */
function frames(body: Buffer): Frame[] {
  const out: Frame[] = [];
  let at = 0;
  while (at < body.length) {
    if (at + 5 > body.length)
      throw new Error(`envelope: expected a 5-byte header at ${at}, got ${body.length - at} bytes`);
    const length = body.readUInt32BE(at + 1);
    const end = at + 5 + length;
    if (end > body.length)
      throw new Error(`envelope: expected ${length} bytes at ${at + 5}, got ${body.length - at - 5}`);
    out.push({ flags: body[at] ?? 0, data: body.subarray(at + 5, end) });
    at = end;
  }
  return out;
}

function contentType(res: RawResponse): string {
  return (res.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/** gRPC-Web's trailer frame (flag 0x80): `name: value` lines. */
function trailerFrame(body: Buffer): Record<string, string> | undefined {
  const frame = frames(body).find((f) => (f.flags & 0x80) !== 0);
  if (!frame) return undefined;
  const out: Record<string, string> = {};
  for (const line of frame.data.toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

/**
 * The gRPC status: the `grpc-status` trailer (gRPC), the same header in a
 * trailers-only response, or the trailer frame at the end of a gRPC-Web body.
 */
export function grpcStatusOf(res: RawResponse): number | undefined {
  const value =
    res.trailers['grpc-status'] ??
    res.headers['grpc-status'] ??
    (contentType(res).startsWith('application/grpc-web')
      ? trailerFrame(res.body)?.['grpc-status']
      : undefined);
  return value === undefined ? undefined : Number(value);
}

/**
 * The Connect error code: `code` of a unary error body (application/json),
 * or `error.code` of the end-stream frame (flag 0x02) of a streaming body
 * (application/connect+…), where a stream without an error reads `ok`.
 */
export function connectCodeOf(res: RawResponse): string | undefined {
  const type = contentType(res);
  if (type.startsWith('application/connect+')) {
    const end = frames(res.body).find((f) => (f.flags & 0x02) !== 0);
    if (!end) return undefined;
    const parsed = JSON.parse(end.data.toString('utf8')) as { error?: { code?: string } };
    return parsed.error?.code ?? 'ok';
  }
  if (type === 'application/json') return (JSON.parse(res.body.toString('utf8')) as { code?: string }).code;
  return undefined;
}

/**
 * The code of an HTTP/JSON API error body: `error.code` (the REST adapter's
 * shape) or `errors[0].extensions.code` (GraphQL over HTTP) — in a JSON body,
 * or in the first `data:` of an event stream (GraphQL over SSE).
 */
export function errorCodeOf(res: RawResponse): string | undefined {
  const type = contentType(res);
  let json: string | undefined;
  if (/json/.test(type)) json = res.body.toString('utf8');
  else if (type === 'text/event-stream') json = /^data: ?(.+)$/m.exec(res.body.toString('utf8'))?.[1];
  if (json === undefined) return undefined;
  const body = JSON.parse(json) as {
    error?: { code?: string };
    errors?: { extensions?: { code?: string } }[];
  };
  return body.error?.code ?? body.errors?.[0]?.extensions?.code;
}

/**
 * Every mismatch between `res` and `expect`, each as "expected X, got Y";
 * empty when the answer is right. A body that cannot be decoded where a
 * code is expected is a mismatch too, never an exception.
 */
export function mismatches(res: RawResponse, expect: Expectation): string[] {
  const out: string[] = [];
  const statuses = typeof expect.status === 'number' ? [expect.status] : expect.status;
  if (!statuses.includes(res.status)) {
    out.push(`HTTP status: expected ${statuses.join(' or ')}, got ${res.status} (${preview(res)})`);
  }
  const checks: [string, unknown, (r: RawResponse) => unknown][] = [
    ['grpc-status', expect.grpcStatus, grpcStatusOf],
    ['Connect code', expect.connectCode, connectCodeOf],
    ['error code', expect.errorCode, errorCodeOf],
  ];
  for (const [what, wanted, read] of checks) {
    if (wanted === undefined) continue;
    let got: unknown;
    try {
      got = read(res);
    } catch (error) {
      got = `an undecodable body (${(error as Error).message})`;
    }
    if (got !== wanted) out.push(`${what}: expected ${String(wanted)}, got ${String(got)} (${preview(res)})`);
  }
  if (expect.jsonBody) out.push(...jsonMismatches(res, expect.jsonBody));
  return out;
}

function jsonMismatches(res: RawResponse, wanted: Readonly<Record<string, unknown>>): string[] {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return [`JSON body: expected ${JSON.stringify(wanted)}, got a body that is not JSON (${preview(res)})`];
  }
  return Object.entries(wanted)
    .filter(([key, value]) => body[key] !== value)
    .map(
      ([key, value]) =>
        `JSON body .${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(body[key])}`,
    );
}

/** The first bytes of the body (and the trailers), for failure messages. */
function preview(res: RawResponse): string {
  const text = res.body
    .subarray(0, 160)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  const trailers = Object.keys(res.trailers).length > 0 ? ` trailers ${JSON.stringify(res.trailers)}` : '';
  const message = res.headers['grpc-message'] ? ` grpc-message "${res.headers['grpc-message']}"` : '';
  return `body "${text}"${message}${trailers}`;
}
