import type { Agent, ClientRequest, IncomingMessage, OutgoingHttpHeaders, RequestOptions } from 'node:http';
import { ClientError } from '../errors.js';
import type { CallOptions } from '../types.js';

/** `http.request` or `https.request`: the exchange code is the same for both. */
export type RequestFn = (
  options: RequestOptions,
  onResponse?: (res: IncomingMessage) => void,
) => ClientRequest;

/** Where and through what a client sends: fixed per client, shared by every call. */
export interface Target {
  readonly request: RequestFn;
  readonly agent: Agent;
  readonly hostname: string;
  readonly port: number;
  /** Requests not yet closed, so `close()` can fail them with CANCELLED. */
  readonly active: Set<ClientRequest>;
}

/** The part of a request the REST client uses: node's ClientRequest and an HTTP/2 stream both fit. */
export interface RequestLike {
  write(chunk: string | Uint8Array): boolean;
  end(chunk?: string): void;
  destroy(error?: Error): void;
  readonly destroyed: boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/** The part of a response the REST client uses: status, completion, the body as an async iterable. */
export interface ResponseLike extends AsyncIterable<Buffer | Uint8Array | string> {
  readonly statusCode?: number | undefined;
  readonly complete: boolean;
}

/** One request in flight: the request to write a body to, and its response once headers arrive. */
export interface Exchange {
  readonly req: RequestLike;
  readonly response: Promise<ResponseLike>;
}

/**
 * Starts a request on the client's keep-alive pool. The response promise
 * settles when the headers arrive — the instant reported to `onFirstByte` —
 * or fails with a ClientError (CANCELLED when the caller's signal aborts it,
 * UNAVAILABLE for socket errors).
 */
export function startExchange(
  target: Target,
  verb: string,
  path: string,
  headers: OutgoingHttpHeaders,
  options: CallOptions,
): Exchange {
  const { signal, onFirstByte } = options;
  if (signal?.aborted) throw cancelled('before it started');
  const req = target.request({
    hostname: target.hostname,
    port: target.port,
    method: verb,
    path,
    headers,
    agent: target.agent,
  });
  // Cancellation destroys the request; the listener goes when the request closes.
  const onAbort = (): void => {
    req.destroy(cancelled('by the caller'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  target.active.add(req);
  req.once('close', () => {
    target.active.delete(req);
    signal?.removeEventListener('abort', onAbort);
  });
  const response = new Promise<ResponseLike>((resolve, reject) => {
    req.once('response', (res) => {
      onFirstByte?.(process.hrtime.bigint());
      resolve(res);
    });
    // `on`, not `once`: a destroyed request may emit a second error, which must not go unhandled.
    req.on('error', (error) => reject(asClientError(error, signal)));
  });
  // The caller may stop awaiting (e.g. while it still writes); a late rejection is never unhandled.
  response.catch(() => {});
  return { req: req as RequestLike, response };
}

/** The whole response body as text. */
export async function readText(res: ResponseLike, signal?: AbortSignal): Promise<string> {
  const parts: Buffer[] = [];
  try {
    for await (const chunk of res)
      parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  } catch (error) {
    throw asClientError(error, signal);
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

/** Whatever a call failed with, as the one client error type. */
export function asClientError(error: unknown, signal?: AbortSignal): ClientError {
  if (error instanceof ClientError) return error;
  if (signal?.aborted) return cancelled('by the caller');
  const message = error instanceof Error ? error.message : String(error);
  return new ClientError('UNAVAILABLE', `rest: expected a response, got ${message}`);
}

export function cancelled(when: string): ClientError {
  return new ClientError('CANCELLED', `rest: call cancelled ${when}`);
}
