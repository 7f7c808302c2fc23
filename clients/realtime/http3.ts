import { type Http3Connection, ReconnectingHttp3, type WireCounters } from '../../lib/http3/index.js';
import { ClientError } from '../errors.js';
import type { ClientOptions } from '../types.js';
import type { HttpConnector, HttpReply, RequestInit } from './http-types.js';

/**
 * HTTP/3 for the SSE and long-poll clients: every request is a stream on
 * one QUIC connection (lib/http3), reopened when it closed (a server that
 * dropped it, an idle timeout) — the same shape as the HTTP/2 connector's
 * one session. TLS trusts only the run's CA.
 *
 * A bodiless request (an SSE GET, a held poll) keeps its sending side open
 * until the response has been read, then ends it. Why: QUIC tells the
 * server that a client left only on a direction still open — measured with
 * @currentspace/http3 0.9, a reset after the request's FIN never reaches the
 * server's handler, which learns of it only at its next write (for a quiet
 * SSE stream, the next heartbeat), while a reset of an open request side
 * arrives at once. Closing a subscription must free it on the server now,
 * as it does over HTTP/1.1 and HTTP/2.
 */
export class Http3Connector implements HttpConnector {
  private readonly connection: ReconnectingHttp3;
  /** The connection last handed out, for `connectionCount()`. */
  private current: Http3Connection | undefined;
  private shut = false;

  constructor(options: ClientOptions) {
    if (!options.caPem) throw new Error('transport h3 needs options.caPem (the run CA), got none');
    this.connection = new ReconnectingHttp3(options.url, { caPem: options.caPem });
  }

  async connect(): Promise<void> {
    await this.open();
  }

  async request(method: string, path: string, init: RequestInit = {}): Promise<HttpReply> {
    const { signal } = init;
    if (this.shut) throw closed();
    if (signal?.aborted) throw failure(new Error('aborted'), signal);
    const connection = await this.open();
    const call = connection.request({
      method,
      path,
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body === undefined ? { writable: true } : { body: init.body }),
      ...(signal ? { signal } : {}),
    });
    const res = await call.response.catch((error: unknown) => {
      call.cancel();
      return Promise.reject(failure(error, signal));
    });
    return {
      status: res.status,
      header: (name) => {
        const value = res.headers[name];
        return Array.isArray(value) ? value[0] : value;
      },
      body: bodyOf(res, signal, () => {
        if (!call.req.writableEnded && !call.req.destroyed) call.req.end();
      }),
      destroy: () => call.cancel(),
    };
  }

  connectionCount(): number {
    return !this.shut && this.current && !this.current.closed ? 1 : 0;
  }

  /** UDP payload bytes of every QUIC connection this client opened (see lib/http3 `wireCounters`). */
  wireCounters(): WireCounters {
    return this.connection.wireCounters();
  }

  close(): void {
    this.shut = true;
    void this.connection.close().catch(() => {});
  }

  private async open(): Promise<Http3Connection> {
    try {
      this.current = await this.connection.connection();
    } catch (error) {
      throw this.shut ? closed() : failure(error);
    }
    return this.current;
  }
}

/**
 * The response body; a stream that stops without its FIN (reset, connection
 * lost) fails, so a cut response never reads as a short, complete one. Once
 * it is read in full, `finished` ends the request side.
 */
async function* bodyOf(
  res: AsyncIterable<Buffer> & { readonly complete: boolean },
  signal: AbortSignal | undefined,
  finished: () => void,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of res) yield chunk;
  } catch (error) {
    throw failure(error, signal);
  }
  if (!res.complete) throw failure(new Error('the HTTP/3 stream ended before its FIN'), signal);
  finished();
}

function failure(error: unknown, signal?: AbortSignal): ClientError {
  if (error instanceof ClientError) return error;
  if (signal?.aborted) return new ClientError('CANCELLED', 'request cancelled by the caller');
  return new ClientError('UNAVAILABLE', `connection: ${(error as Error)?.message ?? String(error)}`);
}

function closed(): ClientError {
  return new ClientError('CANCELLED', 'request: the client is closed');
}
