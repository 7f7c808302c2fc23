import type { TopicMessage } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { AttemptSink } from './resumable.js';

/**
 * One message of a TopicService.Subscribe stream (gRPC, Connect, GraphQL)
 * to the resume loop: `subscribed` is the acceptance with its resume point,
 * `gap` the loss report, `event` an event.
 */
export function deliverTopicMessage(sink: AttemptSink, { kind }: TopicMessage): void {
  if (kind.case === 'event') sink.event(kind.value);
  else if (kind.case === 'subscribed') sink.ready(kind.value.lastSeq);
  else if (kind.case === 'gap') sink.gap({ from: kind.value.from, to: kind.value.to });
}
