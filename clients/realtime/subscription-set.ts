import { ClientError } from '../errors.js';
import type { Backoff } from './backoff.js';
import { type Attempt, resumableSubscription } from './resumable.js';
import type { RealtimeSubscription, SubscribeOptions } from './types.js';

/**
 * A client's live subscriptions, at most one per topic — the same rule for
 * every protocol, because on WebSocket the server routes events by topic
 * (one encoded frame per event, however many subscribers). N subscribers
 * are N clients, which is also what a fan-out measurement wants.
 */
export class SubscriptionSet {
  private readonly byTopic = new Map<string, RealtimeSubscription>();

  /** Creates the subscription with `create`, which gets the callback to run when it ends. */
  open(
    topic: string,
    create: (onEnd: () => void) => RealtimeSubscription,
    onEnd?: () => void,
  ): RealtimeSubscription {
    if (this.byTopic.has(topic)) {
      throw new ClientError(
        'ALREADY_EXISTS',
        `subscribe ${topic}: expected one subscription per topic and client, got a second`,
      );
    }
    const sub = create(() => {
      if (this.byTopic.get(topic) === sub) this.byTopic.delete(topic);
      onEnd?.();
    });
    this.byTopic.set(topic, sub);
    return sub;
  }

  /** The common case: a {@link resumableSubscription} of `attempt`, forgotten when it ends. */
  openResumable(
    topic: string,
    options: SubscribeOptions,
    backoff: Backoff,
    attempt: Attempt,
  ): RealtimeSubscription {
    return this.open(topic, (onEnd) => resumableSubscription(topic, options, backoff, attempt, onEnd));
  }

  closeAll(): void {
    for (const sub of this.byTopic.values()) sub.close();
  }
}
