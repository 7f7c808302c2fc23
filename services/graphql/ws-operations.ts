import type { DocumentNode, ExecutionArgs } from 'graphql';
import { GraphQLError } from 'graphql';
import type { Context, SubscribePayload } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { RealtimeLimits } from '../realtime/types.js';
import type { GraphqlYoga } from './yoga.js';

/**
 * The operations of the WebSocket carrier (ws-carrier.ts): each runs
 * through yoga's envelop like an HTTP request, holds an abort signal that
 * frees what it holds, and is refused with an `error` message (not a close)
 * when it does not parse, validate or fit the per-connection limit.
 */

/** What graphql-ws hands every hook about one connection (its `ctx.extra`). */
export interface Extra {
  readonly socket: WebSocket;
  /** The upgrade request's origin and headers, so yoga's context sees what an HTTP request would carry. */
  readonly url: string;
  readonly headers: Headers;
  /** One abort per running operation: the topic resolver frees its hub subscription on it. */
  readonly operations: Map<string, AbortController>;
}

/** yoga's envelop for one operation; its execute and subscribe travel as the root value. */
type Enveloped = ReturnType<GraphqlYoga['getEnveloped']>;
export interface Roots extends Pick<Enveloped, 'execute' | 'subscribe'> {
  /** Aborts the operation's request signal: what frees the hub subscription behind it. */
  readonly abort: AbortController;
}
export type Ctx = Context<Record<string, unknown> | undefined, Extra>;

/**
 * graphql-ws's onSubscribe: the operation through yoga's envelop (parse,
 * validate with the depth and cost rules, context with the request scope),
 * or the errors that refuse it — an `error` message for its id.
 */
export async function prepare(
  yoga: GraphqlYoga,
  limits: RealtimeLimits,
  ctx: Ctx,
  id: string,
  payload: SubscribePayload,
): Promise<ExecutionArgs | readonly GraphQLError[]> {
  const { operations } = ctx.extra;
  if (operations.size >= limits.maxSubscriptionsPerConnection) {
    return [
      refusal(
        `operations: expected at most ${limits.maxSubscriptionsPerConnection} at once on one connection, got one more`,
        'RESOURCE_EXHAUSTED',
      ),
    ];
  }
  const abort = new AbortController();
  const request = new Request(ctx.extra.url, {
    method: 'POST',
    headers: ctx.extra.headers,
    signal: abort.signal,
  });
  const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
    request,
    params: payload,
  });
  let document: DocumentNode;
  try {
    document = parse(payload.query);
  } catch (error) {
    return [
      refusal(`query: expected a GraphQL document, got ${(error as Error).message}`, 'GRAPHQL_PARSE_FAILED'),
    ];
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return invalid.map((e: GraphQLError) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
  operations.set(id, abort);
  const roots: Roots = { execute, subscribe, abort };
  return {
    schema,
    document,
    operationName: payload.operationName ?? null,
    variableValues: payload.variables ?? null,
    contextValue: await contextFactory(),
    rootValue: roots,
  };
}

/**
 * A subscription's event stream whose `return()` (the client's `complete`,
 * or the connection closing) aborts the operation first. Without that the
 * return waits behind the pending read — an async generator finishes a
 * `return()` only after its current step — which on a quiet topic is
 * forever, and the hub subscription would stay.
 */
export function abortOnReturn<T>(
  result: T | AsyncIterable<T>,
  abort: AbortController,
): T | AsyncGenerator<T> {
  if (!isAsyncIterable(result)) return result;
  const it = result[Symbol.asyncIterator]();
  const wrapped: AsyncGenerator<T> = {
    next: () => it.next(),
    return: async (value?: unknown) => {
      abort.abort();
      return (await it.return?.(value)) ?? { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      abort.abort();
      if (it.throw) return it.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]: () => wrapped,
  };
  return wrapped;
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** The operation under `id` is over: its abort fires, so whatever it held is freed. */
export function endOperation(extra: Extra, id: string): void {
  extra.operations.get(id)?.abort();
  extra.operations.delete(id);
}

function refusal(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** `error` with an `extensions.code` (the one it has, else `code`), as yoga's HTTP path reports it. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (typeof error.extensions.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    originalError: error.originalError ?? null,
    extensions: { ...error.extensions, code },
  });
}
