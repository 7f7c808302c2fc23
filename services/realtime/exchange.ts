import type { ServerResponse } from 'node:http';
import type { NodeRequest, NodeResponse } from './http-host.js';

/**
 * One HTTP request and its response, as the push routes (SSE, long-poll,
 * publish) see it, whatever the HTTP version carries it: node's
 * http/https/http2 (`nodeExchange`) or an HTTP/3 stream (h3-exchange.ts).
 * Why not a fetch Response: an SSE stream must write each event the moment
 * it exists, see how much is still queued (slow consumers), and be cut
 * abruptly — a stream-level surface says all three directly.
 */
export interface HttpExchange {
  readonly method: string;
  /** Origin-form target: path and query. */
  readonly url: string;
  /** A request field (lower-case name); the first value when repeated. */
  header(name: string): string | undefined;
  /** The request body, read on demand. */
  readonly body: AsyncIterable<Buffer>;
  /** Status and fields; the body follows with write()/end(). */
  respond(status: number, headers: Readonly<Record<string, string | number>>): void;
  readonly headersSent: boolean;
  /** Hands a chunk to the transport at once; false when it is queueing (see `buffered`). */
  write(chunk: string | Uint8Array): boolean;
  /** Ends the response (after `chunk`), cleanly. */
  end(chunk?: string | Uint8Array): void;
  /** Response bytes queued in user space, not yet taken by the kernel (TCP) or QUIC. */
  buffered(): number;
  /** The response can still be written: the client has not gone and it was not ended. */
  readonly writable: boolean;
  /** Cuts the response without a clean end (socket destroyed / stream reset): the client sees a failure. */
  destroy(): void;
  /** Runs `listener` once when the exchange is over, however it ended (finished, client gone, cut). */
  onClose(listener: () => void): void;
}

/** node:http, https and the http2 compatibility API as an HttpExchange. */
export function nodeExchange(req: NodeRequest, res: NodeResponse): HttpExchange {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    header: (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    body: req as AsyncIterable<Buffer>,
    respond: (status, headers) => void res.writeHead(status, headers),
    get headersSent() {
      return res.headersSent;
    },
    // http and http2 responses share write()'s contract; only their TypeScript overloads differ.
    write: (chunk) => (res as ServerResponse).write(chunk),
    end: (chunk) => void (chunk === undefined ? res.end() : (res as ServerResponse).end(chunk)),
    buffered: () => ('stream' in res ? res.stream.writableLength : res.writableLength),
    get writable() {
      if ('stream' in res) return !res.stream.destroyed && !res.stream.closed && !res.writableEnded;
      return !res.destroyed && !res.writableEnded;
    },
    destroy: () => void res.destroy(),
    onClose: (listener) => void res.once('close', listener),
  };
}
