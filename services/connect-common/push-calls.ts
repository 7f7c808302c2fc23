import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import { OpenSet } from '../realtime/open-set.js';

/** What push calls still open at shutdown end with; the clients' resume loop reads it as a cut. */
export const SHUTTING_DOWN = new ConnectError('server shutting down', Code.Unavailable);

/** One held push call: the signal its handler follows, and what to call when the call ends. */
export interface HeldCall {
  readonly signal: AbortSignal;
  release(): void;
}

/**
 * The long-lived calls push clients hold open (TopicService.Subscribe
 * streams and FeedService.Chat): counted as the server's logical
 * connections, as open SSE streams are for SSE, and ended first at
 * shutdown (with `unavailable`), so the graceful drain that follows waits
 * only for request/response calls, never for a subscription that would
 * not end by itself.
 */
export class PushCalls {
  private readonly open = new OpenSet();

  /** Push calls open now. */
  get size(): number {
    return this.open.size;
  }

  /**
   * Registers a call. Its signal aborts when the client goes (connect-es'
   * own signal) or at `endAll()` (reason {@link SHUTTING_DOWN}).
   */
  hold(ctx: HandlerContext): HeldCall {
    const stop = new AbortController();
    const forget = this.open.add(() => stop.abort(SHUTTING_DOWN));
    return { signal: AbortSignal.any([ctx.signal, stop.signal]), release: forget };
  }

  /** Ends every open push call, and any opened later at once. */
  endAll(): void {
    this.open.closeAll();
  }
}

/** The call as held by `push`, or — for servers that count nothing (fetch handler, h3) — as it is. */
export function holdCall(push: PushCalls | undefined, ctx: HandlerContext): HeldCall {
  return push ? push.hold(ctx) : { signal: ctx.signal, release: () => {} };
}

/**
 * `source`, until `signal` aborts: then the reason is thrown at once, even
 * while `source` waits (Chat waits on the client's next message and cannot
 * see a signal). Hand-written: a race of each `next()` against the abort is
 * all it takes, and `events.on`-style helpers do not wrap async iterables.
 */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  // Observed here so an abort after the source ended is no unhandled rejection.
  aborted.catch(() => {});
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    // The source may still be waiting on its input; its own end (client gone) frees it.
    void iterator.return?.()?.catch(() => {});
  }
}
