import { decodeDatagram } from './datagrams.js';
import type { DatagramStats, Sequencer } from './sequencer.js';

/**
 * A session's datagrams routed to its subscriptions by flow id. A datagram
 * for no live flow (its subscription just ended, or it is garbage) is
 * counted as stray and dropped: an unreliable channel's noise never ends
 * the session.
 */
export class FlowDemux {
  private readonly flows = new Map<number, Sequencer>();

  constructor(private readonly stats: DatagramStats) {}

  open(flow: number, sequencer: Sequencer): void {
    this.flows.set(flow, sequencer);
  }

  close(flow: number): void {
    this.flows.delete(flow);
  }

  dispatch(bytes: Uint8Array): void {
    const datagram = decodeDatagram(bytes);
    const sequencer = datagram && this.flows.get(datagram.flow);
    if (!datagram || !sequencer) {
      this.stats.stray++;
      return;
    }
    if (datagram.kind === 'moved') {
      sequencer.moved(datagram.seq);
      return;
    }
    this.stats.received++;
    sequencer.accept(datagram.event);
  }
}
