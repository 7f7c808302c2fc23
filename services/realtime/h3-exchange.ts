import type { IncomingHeaders, ServerHttp3Stream, StreamFlags } from '@currentspace/http3';
import type { HttpExchange } from './exchange.js';

const EMPTY = Buffer.alloc(0);
/** RFC 9114 §8.1 H3_INTERNAL_ERROR: the code a cut response's stream is reset with. */
const H3_INTERNAL_ERROR = 0x0102;

/** An HTTP/3 request stream as an HttpExchange, and when it is over. */
export interface H3Exchange {
  readonly exchange: HttpExchange;
  /**
   * Resolves once the response was handed to QUIC in full (FIN included) or
   * the stream died; an unread request body is discarded then. Never rejects.
   */
  done(): Promise<void>;
}

/**
 * Wraps one @currentspace/http3 server stream. The package's traps (see
 * ENVIRONMENT.md and lib/http3/fetch-stream.ts) are handled here once:
 * the stream is paused before anything can flow and resumed only by a body
 * reader (or to discard the rest); the response HEADERS are held back until
 * the first write, so a small answer goes out as one HEADERS+DATA+FIN call
 * and an SSE stream's first block rides with its HEADERS.
 */
export function h3Exchange(
  stream: ServerHttp3Stream,
  headers: IncomingHeaders,
  flags: StreamFlags,
): H3Exchange {
  stream.pause();
  stream.on('error', () => {});
  if (flags.endStream) stream.resume();
  let gone = false;
  const listeners: (() => void)[] = [];
  const over = (): void => {
    gone = true;
    for (const listener of listeners.splice(0)) listener();
  };
  stream.once('aborted', over);
  stream.once('close', over);
  let head: IncomingHeaders | undefined;
  let headSent = false;
  /** Sends the held-back HEADERS (once) before the first body byte. */
  const flushHead = (): void => {
    if (headSent || !head) return;
    headSent = true;
    stream.respond(head);
  };
  const exchange: HttpExchange = {
    method: first(headers[':method']) ?? 'GET',
    url: first(headers[':path']) || '/',
    header: (name) => first(headers[name]),
    body: {
      [Symbol.asyncIterator]: () =>
        stream.iterator({ destroyOnReturn: false })[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
    },
    respond: (status, fields) => {
      head = { ':status': String(status) };
      for (const [name, value] of Object.entries(fields)) head[name.toLowerCase()] = String(value);
    },
    get headersSent() {
      return head !== undefined;
    },
    write: (chunk) => {
      flushHead();
      return stream.write(chunk);
    },
    end: (chunk) => {
      if (head && !headSent) {
        headSent = true;
        // respondWithBody also ends the writable side; respond(…, endStream) would not.
        return stream.respondWithBody(head, chunk === undefined ? EMPTY : Buffer.from(chunk));
      }
      stream.end(chunk);
    },
    buffered: () => stream.writableLength,
    get writable() {
      return !gone && !stream.destroyed && !stream.writableEnded;
    },
    destroy: () => {
      if (stream.destroyed) return;
      try {
        stream.close(H3_INTERNAL_ERROR);
      } catch {
        stream.destroy();
      }
    },
    onClose: (listener) => {
      if (gone) listener();
      else listeners.push(listener);
    },
  };
  return {
    exchange,
    done: async () => {
      if (!stream.writableFinished && !stream.destroyed) {
        await new Promise<void>((resolve) => {
          stream.once('finish', resolve);
          stream.once('close', resolve);
        });
      }
      // Whatever body the handler left unread drains away instead of holding flow control.
      if (!stream.destroyed) stream.resume();
    },
  };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
