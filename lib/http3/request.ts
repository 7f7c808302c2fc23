import type { ClientHttp3Stream, Http3ClientSession, IncomingHeaders } from '@currentspace/http3';
import { H3_REQUEST_CANCELLED } from './load.js';

/** A request body the helper writes itself (with backpressure), then ends. */
export type Http3Body = string | Uint8Array | AsyncIterable<string | Uint8Array>;

export interface Http3RequestInit {
  readonly method: string;
  /** Origin-form target: path and query. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | number | readonly string[]>>;
  /**
   * Written and ended by the helper. Omitted (and `writable` unset): no body,
   * the HEADERS frame carries FIN — no extra packet for a GET.
   */
  readonly body?: Http3Body;
  /** The caller writes the body to `call.req` and ends it (uploads that stop early). */
  readonly writable?: boolean;
  /** Aborting resets the stream with H3_REQUEST_CANCELLED and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called with `process.hrtime.bigint()` when the response HEADERS arrive. */
  readonly onFirstByte?: (hrtimeNs: bigint) => void;
}

/** The response once its HEADERS arrived; iterate it for the body. */
export interface Http3Response extends AsyncIterable<Buffer> {
  readonly status: number;
  readonly headers: IncomingHeaders;
  /** The whole body has been read. */
  readonly complete: boolean;
}

/** One request in flight. */
export interface Http3Call {
  /** The request stream: write()/end() it when `writable` was set. */
  readonly req: ClientHttp3Stream;
  /** Settles at the response HEADERS; rejects on reset, session loss or cancel. */
  readonly response: Promise<Http3Response>;
  /** Resets the stream (both directions) with H3_REQUEST_CANCELLED; pending promises reject with `reason`. */
  cancel(reason?: Error): void;
}

/**
 * A small HTTP/3 request on an open session — the client half of what
 * @currentspace/http3 lacks (it has no fetch client). It applies the
 * package's two traps once for every caller:
 * - `stream.pause()` right after `session.request()`: otherwise, if the
 *   response FIN arrives before anyone reads, the package resumes the stream
 *   into the void and the body is lost;
 * - the body iterates with `iterator({ destroyOnReturn: false })`, and
 *   cancelling calls `stream.close(code)`: `destroy()` alone tells the peer
 *   nothing, so the server would keep producing.
 */
export function http3Request(
  session: Http3ClientSession,
  authority: string,
  init: Http3RequestInit,
): Http3Call {
  const { signal, onFirstByte } = init;
  if (signal?.aborted) throw abortReason(signal);
  const hasBody = init.body !== undefined || init.writable === true;
  const stream = session.request(requestHeaders(authority, init), { endStream: !hasBody });
  stream.pause();
  let fail: (error: Error) => void = () => {};
  const response = new Promise<Http3Response>((resolve, reject) => {
    fail = reject;
    stream.once('response', (headers) => {
      onFirstByte?.(process.hrtime.bigint());
      resolve(responseOf(stream, headers));
    });
    // `on`: a destroyed stream may error twice, and an unhandled 'error' would crash the process.
    stream.on('error', reject);
    stream.once('close', () => reject(new Error('http3: stream closed before the response headers')));
  });
  response.catch(() => {});
  const cancel = (reason: Error = new Error('http3: request cancelled')): void => {
    fail(reason);
    if (stream.destroyed) return;
    try {
      stream.close(H3_REQUEST_CANCELLED);
    } catch {
      stream.destroy();
    }
  };
  const onAbort = (): void => cancel(abortReason(signal!));
  signal?.addEventListener('abort', onAbort, { once: true });
  stream.once('close', () => signal?.removeEventListener('abort', onAbort));
  if (init.body !== undefined) {
    writeBody(stream, init.body).catch((error: unknown) => cancel(error as Error));
  }
  return { req: stream, response, cancel };
}

function requestHeaders(authority: string, init: Http3RequestInit): IncomingHeaders {
  const headers: IncomingHeaders = {
    ':method': init.method,
    ':scheme': 'https',
    ':authority': authority,
    ':path': init.path,
  };
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    headers[name.toLowerCase()] = typeof value === 'number' ? String(value) : (value as string | string[]);
  }
  return headers;
}

function responseOf(stream: ClientHttp3Stream, headers: IncomingHeaders): Http3Response {
  const status = Number(Array.isArray(headers[':status']) ? headers[':status'][0] : headers[':status']);
  return {
    status,
    headers,
    get complete() {
      return stream.readableEnded;
    },
    [Symbol.asyncIterator]: () =>
      stream.iterator({ destroyOnReturn: false })[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
  };
}

/** Writes the body, waiting for `drain` whenever the stream buffers, then FIN. */
async function writeBody(stream: ClientHttp3Stream, body: Http3Body): Promise<void> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    stream.end(body);
    return;
  }
  for await (const chunk of body) {
    if (stream.destroyed) return;
    if (!stream.write(chunk)) await drained(stream);
  }
  stream.end();
}

function drained(stream: ClientHttp3Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('http3: request aborted');
}
