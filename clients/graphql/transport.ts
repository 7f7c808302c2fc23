import type { WireCounters } from '../../lib/http3/index.js';
import { ClientError } from '../errors.js';
import type { TlsResumptionSource } from '../tls-session.js';
import type { CallOptions } from '../types.js';

/** A response whose headers have arrived; the body is read (or abandoned) by the caller. */
export interface HttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: AsyncIterable<Buffer>;
  /** Stops the exchange (closes the HTTP/2 stream, destroys the HTTP/1.1 request). */
  cancel(): void;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * The one thing the GraphQL client needs from HTTP: send a request, get the
 * status and a body stream, report the first byte. Three implementations —
 * node:http(s) with a keep-alive pool for h1/h1s, one node:http2 session for
 * h2/h2c, one QUIC connection for h3 — so the GraphQL code above never
 * branches on the transport.
 */
export interface HttpTransport {
  /** Opens the connection(s) ahead of the first measured call. */
  connect(): Promise<void>;
  send(request: HttpRequest, options: CallOptions): Promise<HttpResponse>;
  /** Fails pending exchanges with CANCELLED and closes every connection. */
  close(): void | Promise<void>;
  /**
   * h3 only: UDP payload bytes of the client's QUIC connections (see
   * lib/http3 `wireCounters`). TCP transports leave it undefined: the
   * kernel's tcp_info counts those.
   */
  wireCounters?(): WireCounters;
  /** TLS (h1s, h2, h3): the session (QUIC: ticket) offered and received, resumed vs full handshakes. */
  readonly tls?: TlsResumptionSource | undefined;
}

/** The whole body as text. */
export async function readText(response: HttpResponse, signal?: AbortSignal): Promise<string> {
  const parts: Buffer[] = [];
  try {
    for await (const chunk of response.body) parts.push(chunk);
  } catch (error) {
    throw asClientError(error, signal);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Whatever an exchange failed with, as the one client error type. */
export function asClientError(error: unknown, signal?: AbortSignal): ClientError {
  if (error instanceof ClientError) return error;
  if (signal?.aborted) return cancelled('by the caller');
  const message = error instanceof Error ? error.message : String(error);
  return new ClientError('UNAVAILABLE', `graphql: expected a response, got ${message}`);
}

export function cancelled(when: string): ClientError {
  return new ClientError('CANCELLED', `graphql: call cancelled ${when}`);
}
