/**
 * The long-lived responses a service holds (SSE streams, held polls), each
 * with the function that ends it. Its size is the service's `connections()`;
 * `closeAll` ends them at shutdown. A set rather than one listener per
 * response on a shared AbortSignal: a thousand listeners on one signal is
 * what Node's leak warning is for.
 */
export class OpenSet {
  private readonly closers = new Set<() => void>();
  private closed = false;

  get size(): number {
    return this.closers.size;
  }

  /** Registers `close`; returns the function that unregisters it. At shutdown, `close` runs at once. */
  add(close: () => void): () => void {
    if (this.closed) {
      close();
      return () => {};
    }
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  closeAll(): void {
    this.closed = true;
    for (const close of this.closers) close();
  }
}
