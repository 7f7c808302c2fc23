import type { Gap } from '../../clients/realtime/types.js';
import type { FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';

/**
 * Loss detection for datagram delivery, after QUIC's own (RFC 9002 §6.1.1,
 * §6.1.2): a missing seq is declared lost once {@link REORDER_THRESHOLD}
 * later seqs have arrived, or {@link REORDER_WINDOW_MS} after the first
 * later seq (or a `sent` notice covering it) arrived, whichever comes first. On one QUIC path (and on the
 * in-order emulated links) datagrams are hardly ever reordered, so the
 * window costs latency only to the events right behind a real loss; a
 * datagram that arrives after its seq was declared lost is dropped and
 * counted as late, never delivered out of order.
 */
export const REORDER_THRESHOLD = 3;
export const REORDER_WINDOW_MS = 20;
/**
 * How long a datagram flow must be quiet before the server sends its `sent`
 * notice on the stream (frames.ts): the only way a client learns that the
 * last datagrams before a pause were lost. Longer than the gap between
 * events of a steady feed (≥ 25/s), so a steady feed costs no notices.
 */
export const TAIL_NOTICE_MS = 40;

/** What one client's datagram subscriptions saw (summed over them, reconnections included). */
export interface DatagramStats {
  /** Event datagrams received for a live subscription. */
  received: number;
  /** Events announced as moved to the subscription stream (too large for a datagram). */
  moved: number;
  /** Seqs declared lost (each also reported through `onGap`). */
  lost: number;
  /** Events dropped because they arrived after their seq was delivered or declared lost. */
  late: number;
  /** Datagrams that did not decode, or named no live subscription. */
  stray: number;
}

export const emptyDatagramStats = (): DatagramStats => ({
  received: 0,
  moved: 0,
  lost: 0,
  late: 0,
  stray: 0,
});

/**
 * Turns one subscription attempt's events — datagrams in whatever order they
 * arrive, plus events that came on the stream — into the RealtimeSubscription
 * contract: delivered in seq order, never twice, every missing seq reported
 * as a Gap before delivery continues past it. A seq announced as `moved` is
 * waited for without a deadline: it comes on the reliable stream.
 */
export class Sequencer {
  /** The next seq to deliver; undefined until `start` (datagrams may overtake the `subscribed` reply). */
  private next: bigint | undefined;
  private readonly held = new Map<bigint, FeedEvent>();
  private readonly onStream = new Set<bigint>();
  /** The highest seq a `sent` notice said was sent (as a datagram, or moved). */
  private sentThrough: bigint | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The seq the timer was armed for: a timer for an older hole is void. */
  private timedFor: bigint | undefined;
  private closed = false;

  constructor(
    private readonly deliver: (event: FeedEvent) => void,
    private readonly gap: (gap: Gap) => void,
    private readonly stats: DatagramStats,
  ) {}

  /**
   * The server accepted the subscription: delivery starts after `after`
   * (`subscribed.lastSeq`, or the end of the history gap it reported).
   * What arrived before is sorted in now.
   */
  start(after: bigint): void {
    if (this.closed || this.next !== undefined) return;
    const next = after + 1n;
    this.next = next;
    for (const seq of this.held.keys()) {
      if (seq >= next) continue;
      this.held.delete(seq);
      this.stats.late++;
    }
    for (const seq of this.onStream) if (seq < next) this.onStream.delete(seq);
    this.advance();
  }

  /** An event, from a datagram or the stream. */
  accept(event: FeedEvent): void {
    if (this.closed) return;
    if ((this.next !== undefined && event.seq < this.next) || this.held.has(event.seq)) {
      this.stats.late++;
      return;
    }
    this.onStream.delete(event.seq);
    this.held.set(event.seq, event);
    this.advance();
  }

  /** `seq` will come on the stream: wait for it however long it takes. */
  moved(seq: bigint): void {
    if (this.closed || (this.next !== undefined && seq < this.next) || this.held.has(seq)) return;
    this.stats.moved++;
    this.onStream.add(seq);
    this.advance();
  }

  /**
   * The server's `sent` notice: every seq through `seq` has been sent. One
   * that has not arrived by the end of the reorder window is lost — even
   * with no later seq to show it.
   */
  sent(seq: bigint): void {
    if (this.closed || (this.sentThrough !== undefined && seq <= this.sentThrough)) return;
    this.sentThrough = seq;
    this.advance();
  }

  /** The attempt ended: held events are dropped (the resume replays them from the history). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.held.clear();
    this.onStream.clear();
  }

  private advance(): void {
    if (this.next === undefined) return;
    for (;;) {
      // 1. Deliver what is contiguous.
      for (let event = this.held.get(this.next); event; event = this.held.get(this.next)) {
        this.held.delete(this.next);
        this.next++;
        this.deliver(event);
      }
      // 2. No hole (nothing held, nothing announced as sent beyond), or the hole is an event
      //    on its way on the stream: wait.
      const announced = this.sentThrough !== undefined && this.sentThrough >= this.next;
      if ((this.held.size === 0 && !announced) || this.onStream.has(this.next)) {
        this.disarm();
        return;
      }
      // 3. A hole with later seqs behind it: lost by the threshold now, or by the window later.
      if (this.held.size < REORDER_THRESHOLD) {
        this.arm();
        return;
      }
      this.declareLost();
    }
  }

  /** Reports [next, first arrived or moved seq − 1] as a gap and moves past it. */
  private declareLost(): void {
    if (this.next === undefined) return;
    let end: bigint | undefined;
    for (const seq of this.held.keys()) if (end === undefined || seq < end) end = seq;
    for (const seq of this.onStream) if (seq >= this.next && (end === undefined || seq < end)) end = seq;
    const afterSent = this.sentThrough === undefined ? undefined : this.sentThrough + 1n;
    if (afterSent !== undefined && afterSent > this.next && (end === undefined || afterSent < end))
      end = afterSent;
    if (end === undefined) return;
    const to = end - 1n;
    this.stats.lost += Number(to - this.next + 1n);
    this.gap({ from: this.next, to });
    this.next = end;
    this.disarm();
  }

  private arm(): void {
    if (this.timedFor === this.next) return;
    this.disarm();
    this.timedFor = this.next;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timedFor = undefined;
      if (this.closed) return;
      this.declareLost();
      this.advance();
    }, REORDER_WINDOW_MS);
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timedFor = undefined;
  }
}
