import type { DescMessage, DescMethod, MessageShape } from '@bufbuild/protobuf';
import { REST_MEDIA } from '../../schemas/rest-binding.js';
import type { CallContext, FeedCore } from '../core/index.js';
import { DEFAULT_MAX_BODY_BYTES } from '../types.js';
import { ndjsonMessages, readCappedText, requireMediaType } from './body.js';
import { errorResponse, HttpError } from './errors.js';
import { messageFromJsonText, messageFromUrl } from './request-message.js';
import { cacheableJsonResponse, jsonResponse, ndjsonResponse } from './responses.js';
import { type CompiledRoute, compileRoutes, matchRoute } from './routes.js';

/** The fetch-API shape: testable without a socket, and servable by any HTTP stack through a bridge. */
export type FetchHandler = (request: Request) => Promise<Response>;

export interface RestHandlerOptions {
  /** Cap on a request body (per line for NDJSON); larger is 413. */
  readonly maxBodyBytes?: number;
}

type Message = MessageShape<DescMessage>;
/** A FeedCore method seen generically: a message (or a stream of them) in, a message or a stream out. */
type CoreMethod = (input: Message | AsyncIterable<Message>, ctx: CallContext) => unknown;

interface Endpoint {
  readonly compiled: CompiledRoute;
  readonly call: CoreMethod;
}

/**
 * The REST adapter as a fetch handler, generic over REST_ROUTES: every route
 * is served by the FeedCore method with the descriptor's `localName`, so no
 * endpoint has code of its own. It never rejects: every failure becomes a
 * JSON error response.
 */
export function createRestHandler(core: FeedCore, options: RestHandlerOptions = {}): FetchHandler {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const table = compileRoutes();
  const endpoints = new Map(table.map((compiled) => [compiled, endpointOf(core, compiled)]));
  return async (request) => {
    try {
      const url = new URL(request.url);
      // 1. Route: 404 for an unknown path, 405 (or OPTIONS' 204) for a known path and another verb.
      const match = matchRoute(table, url.pathname, request.method);
      if (match.kind === 'none') {
        throw new HttpError(
          404,
          'NOT_FOUND',
          `route: expected a REST route, got ${request.method} ${url.pathname}`,
        );
      }
      if (match.kind === 'wrong-verb') {
        const allow = [...match.allow, 'OPTIONS'].join(', ');
        if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: { allow } });
        throw new HttpError(405, 'UNIMPLEMENTED', `verb: expected ${allow}, got ${request.method}`, {
          allow,
        });
      }
      const endpoint = endpoints.get(match.compiled);
      if (!endpoint) throw new Error('route compiled without an endpoint');
      // 2. Request message(s) from the URL and the body; 3. the core call.
      return await serve(endpoint, request, url, match.segments, maxBodyBytes);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

async function serve(
  { compiled, call }: Endpoint,
  request: Request,
  url: URL,
  segments: readonly string[],
  maxBodyBytes: number,
): Promise<Response> {
  const { method, route } = compiled;
  const fromUrl = messageFromUrl(method.input, compiled, segments, url.searchParams);
  // The client going away aborts the call, so a stream's generator stops at once.
  const abort = new AbortController();
  const onAbort = (): void => abort.abort();
  if (request.signal.aborted) onAbort();
  else request.signal.addEventListener('abort', onAbort, { once: true });
  const ctx: CallContext = { signal: abort.signal };
  switch (method.methodKind) {
    case 'unary': {
      let input = fromUrl;
      if (route.requestBody === 'message') {
        requireMediaType(request, REST_MEDIA.json);
        const text = await readCappedText(request, maxBodyBytes);
        input = messageFromJsonText(method.input, text, 'body', fromUrl);
      }
      const result = (await call(input, ctx)) as Message;
      if (route.verb === 'GET')
        return cacheableJsonResponse(method.output, result, request.headers.get('if-none-match'));
      return jsonResponse(method.output, result, route.successStatus);
    }
    case 'server_streaming': {
      const events = call(fromUrl, ctx) as AsyncGenerator<Message>;
      // Produce the first event before committing to 200, so validation errors keep their status.
      const first = await events.next();
      return ndjsonResponse(method.output, first.done ? undefined : first.value, events, abort);
    }
    case 'client_streaming': {
      requireMediaType(request, REST_MEDIA.ndjson);
      const inputs = ndjsonMessages(request, method.input, maxBodyBytes);
      return jsonResponse(method.output, (await call(inputs, ctx)) as Message, route.successStatus);
    }
    default:
      throw new HttpError(501, 'UNIMPLEMENTED', `${method.name}: expected a non-bidi method, got bidi`);
  }
}

/**
 * Binds a route to its core method and checks the route's body kinds match
 * the method's streaming kind, so a wrong table entry fails at start.
 */
function endpointOf(core: FeedCore, compiled: CompiledRoute): Endpoint {
  const { method, route } = compiled;
  const fn = (core as unknown as Record<string, unknown>)[method.localName];
  if (typeof fn !== 'function') {
    throw new Error(`rest: expected FeedCore.${method.localName} for ${method.name}, got none`);
  }
  const streamsIn = method.methodKind === 'client_streaming';
  const streamsOut = method.methodKind === 'server_streaming';
  if (streamsIn !== (route.requestBody === 'ndjson') || streamsOut !== (route.responseBody === 'ndjson')) {
    throw new Error(
      `rest route ${route.path}: expected NDJSON exactly on streamed sides of ${describe(method)}`,
    );
  }
  return { compiled, call: (fn as CoreMethod).bind(core) };
}

function describe(method: DescMethod): string {
  return `${method.name} (${method.methodKind})`;
}
