import { Code, ConnectError, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import { TopicService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { CoreError, type FeedCore } from '../core/index.js';
import { openTopicStream, publishToTopic } from '../realtime/topic-rpc.js';
import { toConnectError } from './errors.js';

/**
 * TopicService for a connect-es router (Connect, gRPC-Web, gRPC over h3):
 * Subscribe streams the core's topic with resume, Publish publishes. The
 * stream's content is decided in services/realtime/topic-rpc.ts; here only
 * errors are mapped. A refusal keeps its code; a failure once the stream has
 * started (the hub dropping a subscriber that fell behind) reads as
 * `unavailable`, a cut the client answers by resuming after its last seq.
 */
export function topicRoutes(core: FeedCore): (router: ConnectRouter) => void {
  return (router) =>
    router.service(TopicService, {
      async *subscribe(request, ctx) {
        let started = false;
        try {
          for await (const message of openTopicStream(core, request, ctx.signal)) {
            started = true;
            yield message;
          }
        } catch (error) {
          throw mapped(error, ctx, started);
        }
      },
      async publish(request, ctx) {
        try {
          return publishToTopic(core, request);
        } catch (error) {
          throw mapped(error, ctx, false);
        }
      },
    });
}

function mapped(error: unknown, ctx: HandlerContext, started: boolean): ConnectError {
  // Server shutdown (or a deadline): connect-es' own reason says why.
  if (ctx.signal.aborted && ctx.signal.reason instanceof ConnectError) return ctx.signal.reason;
  if (!started || !(error instanceof CoreError)) return toConnectError(error);
  return new ConnectError(error.message, Code.Unavailable);
}
