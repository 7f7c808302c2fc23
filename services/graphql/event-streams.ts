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

  /**
   * Cuts the connection under every open stream at the TCP level (the HTTP/2
   * session with it: one cut ends every stream it carries), as a network
   * failure would; returns how many connections were cut.
   */
  cut(): number {
    const cut = new Set<object>();
    for (const res of this.open) {
      const target = 'stream' in res ? res.stream.session : res.socket;
      if (!target || cut.has(target)) continue;
      cut.add(target);
      target.destroy();
    }
    return cut.size;
  }
}
