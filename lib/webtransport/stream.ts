import type { PushStream } from '../push-streams/index.js';

/**
 * The WHATWG shape of a WebTransport bidirectional stream (browser and
 * fails-components alike), reduced to what is used: the package types its
 * streams with node:stream/web, the DOM lib with its own classes.
 */
export interface BidiStreamLike {
  readonly readable: {
    getReader(): {
      read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>;
      cancel(reason?: unknown): Promise<void>;
    };
  };
  readonly writable: {
    getWriter(): {
      write(chunk: Uint8Array): Promise<void>;
      close(): Promise<void>;
      abort(reason?: unknown): Promise<void>;
      readonly closed: Promise<unknown>;
    };
  };
}

/**
 * A WebTransport bidirectional stream as a PushStream. Writes are queued
 * without awaiting (the session logic decides when a backlog is too large);
 * `buffered()` counts the bytes whose write promise has not yet resolved,
 * i.e. not yet taken by the transport's flow control.
 */
export function pushStreamOf(bidi: BidiStreamLike): PushStream {
  const writer = bidi.writable.getWriter();
  const reader = bidi.readable.getReader();
  let buffered = 0;
  let done = false;
  // A write on a stream the peer reset rejects; the reader's side reports the loss.
  writer.closed.catch(() => {});
  return {
    chunks: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const { value, done: end } = await reader.read();
          if (end) return;
          yield value;
        }
      },
    },
    send(bytes) {
      if (done) return;
      buffered += bytes.byteLength;
      writer.write(bytes).then(
        () => {
          buffered -= bytes.byteLength;
        },
        () => {
          buffered = 0;
        },
      );
    },
    buffered: () => buffered,
    end() {
      if (done) return;
      done = true;
      writer.close().catch(() => {});
    },
    reset(code) {
      if (done && buffered === 0) {
        reader.cancel().catch(() => {});
        return;
      }
      done = true;
      writer.abort({ code } as never).catch(() => {});
      reader.cancel({ code } as never).catch(() => {});
    },
  };
}
