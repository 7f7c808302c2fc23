import type { WireCounters } from '../../lib/http3/index.js';

/** A response whose headers arrived; the body streams. */
export interface HttpReply {
  readonly status: number;
  header(name: string): string | undefined;
  readonly body: AsyncIterable<Buffer>;
  /** Abandons the response; the server sees the client go. */
  destroy(): void;
}

/** Per-request extras: headers, a small body, and the signal that abandons the request. */
export interface RequestInit {
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

/**
 * The HTTP the SSE and long-poll clients ride on, whatever the version:
 * `h1`/`h1s` through a keep-alive agent with no socket cap (each held
 * response occupies a connection, as it does in a browser), `h2`/`h2c` as
 * streams on one session, `h3` as streams on one QUIC connection (http3.ts).
 * TLS trusts only the run's CA.
 */
export interface HttpConnector {
  /** Opens the HTTP/2 session ahead of the first request; nothing to do for HTTP/1.1. */
  connect(): Promise<void>;
  request(method: string, path: string, init?: RequestInit): Promise<HttpReply>;
  /** TCP connections (HTTP/1.1), sessions (HTTP/2) or QUIC connections (HTTP/3) open now. */
  connectionCount(): number;
  /** h3 only: UDP payload bytes of the client's QUIC connections (TCP transports: the kernel's tcp_info counts). */
  wireCounters?(): WireCounters;
  close(): void;
}
