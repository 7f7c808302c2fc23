import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { ConnectError, type ConnectRouter, type HandlerContext, type MethodImpl } from '@connectrpc/connect';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { CallContext, FeedCore } from '../core/index.js';
import { toConnectError } from './errors.js';
import { holdCall, type PushCalls, untilAborted } from './push-calls.js';
import { topicRoutes } from './topic-routes.js';

/** A FeedCore method seen generically: one proto message (or a stream of them) in, a result out. */
type CoreMethod = (input: unknown, ctx: CallContext) => unknown;

/**
 * The routes of FeedService for a connect-es router, every method delegating
 * to the FeedCore method of the same `localName`. The same function feeds the
 * node adapter, the fetch handler and `createRouterTransport` (socketless
 * tests), so all three run identical server logic. A method the core lacks
 * fails here, at start, not at the first call. With `push`, the calls push
 * clients hold open (Chat, Subscribe) are counted there and ended by it at
 * shutdown (the node server's `connections()`).
 */
export function feedRoutes(
  core: FeedCore,
  service: DescService = FeedService,
  push?: PushCalls,
): (router: ConnectRouter) => void {
  const methods = core as unknown as Record<string, unknown>;
  const impls = service.methods.map((method) => {
    const fn = methods[method.localName];
    if (typeof fn !== 'function') {
      throw new Error(
        `connect: expected FeedCore.${method.localName} for ${service.typeName}.${method.name}, got none`,
      );
    }
    // Chat is a push client's echo channel: held open like a subscription.
    const held = method === FeedService.method.chat ? push : undefined;
    return [method, adapt(method, (fn as CoreMethod).bind(core), held)] as const;
  });
  return (router) => {
    for (const [method, impl] of impls) router.rpc(method, impl);
    // FeedService's router also serves TopicService (topics with resume) for the realtime clients.
    if (service === FeedService) topicRoutes(core, push)(router);
  };
}

/**
 * One adapter per method *kind*, not per method. connect-es already hands us
 * decoded messages (a single one or an async iterable) and accepts a promise
 * or an async iterable back, so the adapter only threads the cancellation
 * signal into the core and maps errors — including those raised mid-stream.
 * A stream held in `push` is counted while open and ends when `push` ends it.
 */
function adapt(method: DescMethod, run: CoreMethod, push?: PushCalls): MethodImpl<DescMethod> {
  switch (method.methodKind) {
    case 'unary':
    case 'client_streaming':
      return (async (input: unknown, ctx: HandlerContext) => {
        try {
          return await run(input, { signal: ctx.signal });
        } catch (error) {
          throw toConnectError(abortReason(ctx.signal) ?? error);
        }
      }) as MethodImpl<DescMethod>;
    case 'server_streaming':
    case 'bidi_streaming':
      return async function* (input: unknown, ctx: HandlerContext) {
        const call = holdCall(push, ctx);
        try {
          const stream = run(input, { signal: call.signal }) as AsyncIterable<never>;
          yield* push ? untilAborted(stream, call.signal) : stream;
        } catch (error) {
          throw toConnectError(abortReason(call.signal) ?? error);
        } finally {
          call.release();
        }
      } as MethodImpl<DescMethod>;
  }
}

/**
 * When the call was aborted (server shutdown, deadline), the core only saw a
 * CANCELLED; the signal's reason says why (e.g. `unavailable: server
 * shutting down`), so that is what the caller gets.
 */
function abortReason(signal: AbortSignal): ConnectError | undefined {
  return signal.aborted && signal.reason instanceof ConnectError ? signal.reason : undefined;
}
