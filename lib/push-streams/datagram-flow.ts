import type { FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { encodeEventDatagram, encodeMovedDatagram } from './datagrams.js';
import { TAIL_NOTICE_MS } from './sequencer.js';
import type { ServerDatagrams } from './types.js';

/**
 * The server's side of one datagram subscription (a flow): each event as a
 * datagram of `flow`; one the transport will not take is announced as moved
 * and left to the caller for the stream. Once the flow has been quiet for
 * TAIL_NOTICE_MS after a datagram, `notice(seq)` is called with the last seq
 * sent, for the `sent` frame on the stream (frames.ts).
 *
 * What a subscriber that stops reading costs: over QUIC nothing waits in
 * user space — quiche drops what it cannot send (a burst of 20,000 datagrams
 * on loopback delivered about 5,000), which the client sees as gaps; over
 * WebTransport/HTTP/2 datagrams wait in the package while TCP is blocked,
 * and `buffered()` counts them toward the slow-consumer limit.
 */
export class DatagramFlow {
  private last: bigint | undefined;
  private tail: NodeJS.Timeout | undefined;

  constructor(
    private readonly datagrams: ServerDatagrams,
    private readonly flow: number,
    private readonly notice: (seq: bigint) => void,
  ) {}

  /** Sends `event` as a datagram; false when the transport would not take it (send it on the stream). */
  send(event: FeedEvent): boolean {
    if (!this.datagrams.send(encodeEventDatagram(this.flow, event))) {
      this.datagrams.send(encodeMovedDatagram(this.flow, event.seq));
      return false;
    }
    this.last = event.seq;
    // One timer per flow, pushed back by every datagram (refresh re-arms it after it fired, too).
    if (this.tail) this.tail.refresh();
    else this.tail = setTimeout(() => this.quiet(), TAIL_NOTICE_MS);
    return true;
  }

  buffered(): number {
    return this.datagrams.buffered();
  }

  close(): void {
    clearTimeout(this.tail);
    this.last = undefined;
  }

  private quiet(): void {
    if (this.last === undefined) return;
    const seq = this.last;
    this.last = undefined;
    this.notice(seq);
  }
}
