import type { QuicStream } from '@currentspace/http3';
import type { PushStream } from '../push-streams/index.js';

/** The ALPN of the wirebench push protocol on raw QUIC: no HTTP, so not `h3`. */
export const QUIC_ALPN = 'wirebench-push';

/**
 * A raw QUIC stream (@currentspace/http3) as a PushStream. Call it in the
 * same tick the stream appears (the `stream` event, or right after
 * `openStream()`): it pauses the stream at once — the package's data-loss
 * trap (ENVIRONMENT.md): data that arrives on a stream nobody reads yet is
 * otherwise flowed into the void. Reading resumes when `chunks` is iterated.
 */
export function pushStreamOfQuic(stream: QuicStream): PushStream {
  stream.pause();
  // Errors surface through `chunks` (a reset ends the iteration with an error); never unhandled.
  stream.on('error', () => {});
  return {
    chunks: {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of stream.iterator({ destroyOnReturn: false })) yield chunk as Uint8Array;
      },
    },
    send(bytes) {
      if (stream.destroyed || stream.writableEnded) return;
      stream.write(bytes);
    },
    buffered: () => stream.writableLength,
    end() {
      if (stream.destroyed || stream.writableEnded) return;
      stream.end();
    },
    reset(code) {
      if (stream.destroyed) return;
      try {
        stream.close(code);
      } catch {
        stream.destroy();
      }
    },
  };
}
