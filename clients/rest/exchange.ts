import type { OutgoingHttpHeaders } from 'node:http';
import type { WireCounters } from '../../lib/http3/index.js';
import { ClientError } from '../errors.js';
import type { TlsResumptionSource } from '../tls-session.js';
import type { CallOptions } from '../types.js';

/**
 * The HTTP-version-specific layer under the REST client. The client speaks
 * REST (URLs, JSON, NDJSON, status mapping) once; an exchanger only carries
 * one request and its response over HTTP/1.1 (a keep-alive pool), HTTP/2
 * (streams on sessions) or HTTP/3 (streams on QUIC connections).
 */
export interface Exchanger {
  /**
   * Opens every connection before the first measured call. `preconnect`
   * is a harmless request the REST layer supplies; a pool that opens a
   * socket per concurrent request (HTTP/1.1) runs it once per connection.
   */
  connect(preconnect: () => Promise<void>): Promise<void>;
  /** Starts one request; connections not yet open are opened first (a cold client's first call). */
  open(request: ExchangeRequest, options: CallOptions): Promise<Exchange>;
  /** Fails pending calls with CANCELLED, then closes every connection. */
  close(): Promise<void>;
  /** Transport-layer payload bytes, where the transport counts them itself (QUIC: UDP payload). */
  wireCounters?(): WireCounters;
  /** TLS transports whose stack takes a session: the session tracker (offer, newest ticket, resumed count). */
  readonly tls?: TlsResumptionSource | undefined;
}

/** What one call puts on the wire. */
export interface ExchangeRequest {
  readonly verb: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  /** The whole body, sent and ended by the exchanger. */
  readonly body?: string;
  /** The caller streams the body through `req` and ends it. Neither: no body. */
  readonly upload?: boolean;
}

/** The part of a request the REST client writes an upload to. */
export interface RequestLike {
  write(chunk: string | Uint8Array): boolean;
  end(chunk?: string): void;
  readonly destroyed: boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/** The part of a response the REST client uses: status, completion, the body as an async iterable. */
export interface ResponseLike extends AsyncIterable<Buffer | Uint8Array | string> {
  readonly statusCode?: number | undefined;
  readonly complete: boolean;
}

/** One request in flight. */
export interface Exchange {
  readonly req: RequestLike;
  /** Settles when the headers arrive — the instant reported to `onFirstByte`. */
  readonly response: Promise<ResponseLike>;
  /**
   * Abandons the call and tells the server: HTTP/1.1 closes the socket,
   * HTTP/2 sends RST_STREAM(CANCEL), HTTP/3 resets with H3_REQUEST_CANCELLED.
   */
  cancel(error?: ClientError): void;
  /** Why the call was cancelled (caller's signal, early stop, client closed), once it was. */
  readonly cancelReason: ClientError | undefined;
}

/** The whole response body as text. */
export async function readText(
  res: ResponseLike,
  signal?: AbortSignal,
  exchange?: Exchange,
): Promise<string> {
  const parts: Buffer[] = [];
  try {
    for await (const chunk of res)
      parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  } catch (error) {
    throw asClientError(error, signal, exchange);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Resolves when `req` can take more body, or when writing no longer matters (response or close). */
export function writable(req: RequestLike, response: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.once('drain', done);
    req.once('close', done);
    response.then(done, done);
  });
}

/**
 * Whatever a call failed with, as the one client error type. A cancelled
 * call reports its cancel reason, whatever the transport made of it (a
 * socket reset, a premature close, a stream reset).
 */
export function asClientError(error: unknown, signal?: AbortSignal, exchange?: Exchange): ClientError {
  if (error instanceof ClientError) return error;
  if (exchange?.cancelReason) return exchange.cancelReason;
  if (signal?.aborted) return cancelled('by the caller');
  const message = error instanceof Error ? error.message : String(error);
  return new ClientError('UNAVAILABLE', `rest: expected a response, got ${message}`);
}

export function cancelled(when: string): ClientError {
  return new ClientError('CANCELLED', `rest: call cancelled ${when}`);
}
