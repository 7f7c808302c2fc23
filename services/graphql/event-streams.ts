import type { NodeRequest, NodeResponse } from './node-bridge.js';

/**
 * The open subscription streams of the HTTP carrier (yoga's GraphQL over
 * SSE, distinct connections: one response with `accept: text/event-stream`
 * per subscription), so a push service can report its live connections as
 * the SSE service reports open event streams — keep-alive sockets of plain
 * queries and mutations are not connections a subscriber holds.
 */
export class EventStreams {
  private readonly open = new Set<NodeResponse>();

  /** Counts `res` while it is open when `req` asks for an event stream. */
  track(req: NodeRequest, res: NodeResponse): void {
    if (!String(req.headers.accept ?? '').includes('text/event-stream')) return;
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
  }

  get size(): number {
    return this.open.size;
  }
}
