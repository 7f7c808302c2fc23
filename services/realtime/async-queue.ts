/**
 * A push/pull queue: producers `push` without waiting, one consumer iterates.
 * It bridges event-emitter sources (sockets, frames) to async iterables on
 * both sides of the realtime adapters. `end` finishes the iteration after the
 * queued items; `fail` throws after them. Breaking out of the loop (or
 * calling `return`) runs `onReturn`, so the consumer going away frees the source.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private head = 0;
  private waiter: (() => void) | undefined;
  private done = false;
  private error: unknown;
  private failed = false;

  constructor(private readonly onReturn?: () => void) {}

  /** Items waiting to be taken. */
  get size(): number {
    return this.items.length - this.head;
  }

  get ended(): boolean {
    return this.done || this.failed;
  }

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.wake();
  }

  end(): void {
    this.done = true;
    this.wake();
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.failed = true;
    this.error = error;
    this.wake();
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.head < this.items.length) {
        const item = this.items[this.head] as T;
        this.head++;
        // Compact now and then so a long-lived queue does not keep taken items alive.
        if (this.head > 1024 && this.head * 2 > this.items.length) {
          this.items = this.items.slice(this.head);
          this.head = 0;
        }
        return { done: false, value: item };
      }
      if (this.failed) throw this.error;
      if (this.done) return { done: true, value: undefined };
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => this.next(),
      return: async () => {
        this.done = true;
        this.items = [];
        this.head = 0;
        this.onReturn?.();
        return { done: true, value: undefined };
      },
    };
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
