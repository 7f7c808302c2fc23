import type { Readable, Writable } from 'node:stream';

/**
 * Newline-delimited JSON over a pair of streams: the control channel between
 * the bench and its child processes (services, namespaced cell workers).
 * Every message is one line; a line that is not JSON is an error, never
 * skipped silently.
 */
export class JsonLines {
  private buffer = '';
  private readonly listeners = new Set<(message: unknown) => void>();

  constructor(
    input: Readable,
    private readonly output: Writable,
    onError: (error: Error) => void = () => {},
  ) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let i = this.buffer.indexOf('\n'); i >= 0; i = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, i).trim();
        this.buffer = this.buffer.slice(i + 1);
        if (line === '') continue;
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          onError(new Error(`json-lines: expected a JSON line, got "${line.slice(0, 200)}"`));
          continue;
        }
        for (const listener of this.listeners) listener(message);
      }
    });
  }

  send(message: unknown): void {
    this.output.write(`${JSON.stringify(message, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
  }

  on(listener: (message: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The next message that satisfies `accept`. */
  next<T>(accept: (message: unknown) => message is T): Promise<T> {
    return new Promise((resolve) => {
      const off = this.on((message) => {
        if (!accept(message)) return;
        off();
        resolve(message);
      });
    });
  }
}
