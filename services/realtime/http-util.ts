import { toJson } from '@bufbuild/protobuf';
import { type FeedEvent, FeedEventSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { CoreError, type CoreErrorCode } from '../core/index.js';
import type { HttpExchange } from './exchange.js';
import type { NodeResponse } from './http-host.js';

/** Longest topic name accepted, in characters, after percent-decoding. */
export const MAX_TOPIC_LENGTH = 200;

/** A failure an HTTP realtime route reports with its own status (404, 405, 413…). */
export class HttpFailure extends Error {
  override readonly name = 'HttpFailure';
  constructor(
    readonly status: number,
    readonly code: CoreErrorCode | 'UNIMPLEMENTED',
    message: string,
  ) {
    super(message);
  }
}

/** CoreError code → HTTP status, as services/rest maps them, so one failure reads the same everywhere. */
const STATUS_OF: Record<CoreErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
};

/** The request target split into a route prefix, an optional decoded topic, and the query. */
export interface Target {
  readonly route: string;
  readonly topic: string | undefined;
  readonly query: URLSearchParams;
}

/** Parses `/route/topic?query` (an origin-form target); a topic that does not decode, or is too long, is a 400. */
export function parseTarget(target: string): Target {
  const url = new URL(target, 'http://x');
  const [, route = '', segment, ...rest] = url.pathname.split('/');
  if (rest.length > 0)
    throw new HttpFailure(404, 'NOT_FOUND', `path: expected /${route}/{topic}, got ${url.pathname}`);
  let topic: string | undefined;
  if (segment !== undefined) {
    try {
      topic = decodeURIComponent(segment);
    } catch {
      throw new HttpFailure(400, 'INVALID_ARGUMENT', `topic: expected percent-encoded UTF-8, got ${segment}`);
    }
    if (topic === '' || topic.length > MAX_TOPIC_LENGTH) {
      throw new HttpFailure(
        400,
        'INVALID_ARGUMENT',
        `topic: expected 1..${MAX_TOPIC_LENGTH} characters, got ${topic.length}`,
      );
    }
  }
  return { route, topic, query: url.searchParams };
}

/** A decimal sequence number (`after=`, `Last-Event-ID`), or undefined when absent. */
export function parseSeq(name: string, value: string | undefined | null): bigint | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (!/^\d{1,19}$/.test(value)) {
    throw new HttpFailure(
      400,
      'INVALID_ARGUMENT',
      `${name}: expected a decimal sequence number, got "${value.slice(0, 40)}"`,
    );
  }
  return BigInt(value);
}

/** Writes an error as the JSON body every wirebench HTTP service uses: `{ error: { code, message, httpStatus } }`. */
export function sendError(res: NodeResponse, error: unknown): void {
  if (res.headersSent) return void res.destroy();
  const { status, body } = errorReply(error);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** sendError for an HttpExchange (any HTTP version): the same status and body; a response already started is cut. */
export function sendExchangeError(exchange: HttpExchange, error: unknown): void {
  if (exchange.headersSent) {
    exchange.destroy();
    return;
  }
  const { status, body } = errorReply(error);
  exchange.respond(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  exchange.end(body);
}

/** An error's status and JSON body: HttpFailure and CoreError keep their code and message; anything else is a bare 500. */
function errorReply(error: unknown): { status: number; body: string } {
  let status = 500;
  let code: string = 'INTERNAL';
  let message = 'internal error';
  if (error instanceof HttpFailure) {
    ({ status, code, message } = error);
  } else if (error instanceof CoreError) {
    ({ code, message } = error);
    status = STATUS_OF[error.code];
  }
  return { status, body: JSON.stringify({ error: { code, message, httpStatus: status } }) };
}

/** Reads a request body, refusing (413) as soon as it passes `maxBytes`. */
export async function readBody(exchange: HttpExchange, maxBytes: number): Promise<Buffer> {
  const declared = Number(exchange.header('content-length') ?? '0');
  if (declared > maxBytes) {
    throw new HttpFailure(
      413,
      'RESOURCE_EXHAUSTED',
      `body: expected at most ${maxBytes} bytes, got ${declared}`,
    );
  }
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of exchange.body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw new HttpFailure(413, 'RESOURCE_EXHAUSTED', `body: expected at most ${maxBytes} bytes, got more`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts, total);
}

const jsonCache = new WeakMap<FeedEvent, string>();

/**
 * The protobuf JSON of an event (int64 as a string), encoded once however
 * many subscribers receive it: the hub hands every subscriber the same object,
 * so fan-out costs one encode per event, not one per connection.
 */
export function eventJson(event: FeedEvent): string {
  let text = jsonCache.get(event);
  if (text === undefined) {
    text = JSON.stringify(toJson(FeedEventSchema, event));
    jsonCache.set(event, text);
  }
  return text;
}

/**
 * Waits until a connection's backlog (`buffered()`) is back under half of
 * `limit`, checking every 5 ms; false when `ms` pass first — the caller then
 * treats the peer as a slow consumer. A burst only pauses forwarding, so a
 * healthy client is not cut for the size of one burst.
 */
export async function drainWithin(
  buffered: () => number,
  limit: number,
  ms: number,
  gone: () => boolean,
): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (buffered() > limit / 2) {
    if (gone()) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}
