import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import { TopicService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { CoreError, type FeedCore } from '../core/index.js';
import { openTopicStream, publishToTopic } from '../realtime/topic-rpc.js';
import { toConnectError } from './errors.js';
import { holdCall, type PushCalls } from './push-calls.js';

/**
 * TopicService for a connect-es router (Connect, gRPC-Web, gRPC over h3):
 * Subscribe streams the core's topic with resume, Publish publishes. The
 * stream's content is decided in services/realtime/topic-rpc.ts; here only
 * errors are mapped. A refusal keeps its code; a failure once the stream has
 * started (the hub dropping a subscriber that fell behind) reads as
 * `unavailable`, a cut the client answers by resuming after its last seq.
 * With `push`, each Subscribe is counted there while open, and ended with
 * `unavailable` when `push` ends it (shutdown).
 */
export function topicRoutes(core: FeedCore, push?: PushCalls): (router: ConnectRouter) => void {
  return (router) =>
    router.service(TopicService, {
      async *subscribe(request, ctx) {
        const call = holdCall(push, ctx);
        let started = false;
        try {
          for await (const message of openTopicStream(core, request, call.signal)) {
            started = true;
            yield message;
          }
          // The hub ends the stream quietly on abort; a shutdown must still read as a cut.
          if (call.signal.aborted) throw call.signal.reason;
        } catch (error) {
          throw mapped(error, call.signal, started);
        } finally {
          call.release();
        }
      },
      async publish(request, ctx) {
        try {
          return publishToTopic(core, request);
        } catch (error) {
          throw mapped(error, ctx.signal, false);
        }
      },
    });
}

function mapped(error: unknown, signal: AbortSignal, started: boolean): ConnectError {
  // Server shutdown (or a deadline): the signal's own reason says why.
  if (signal.aborted && signal.reason instanceof ConnectError) return signal.reason;
  if (!started || !(error instanceof CoreError)) return toConnectError(error);
  return new ConnectError(error.message, Code.Unavailable);
}
