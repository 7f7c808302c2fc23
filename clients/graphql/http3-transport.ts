import { connectHttp3, type Http3Connection, type WireCounters } from '../../lib/http3/index.js';
import { ClientError } from '../errors.js';
import type { CallOptions, ClientOptions } from '../types.js';
import {
  asClientError,
  cancelled,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
} from './transport.js';

/**
 * HTTP/3 (QUIC) on one connection through lib/http3: every call is a
 * request stream multiplexed on it, like the HTTP/2 transport's session. A
 * connection that closed (idle timeout, server shutdown) is replaced on the
 * next call. TLS trusts only the run's CA (see lib/http3
 * `defaultServername` for the name checked on an IP URL).
 */
export class Http3Transport implements HttpTransport {
  /** The connection's handshake, then the connection; reopened when it closes. */
  private slot: Promise<Http3Connection> | undefined;
  private live: Http3Connection | undefined;
  /** Counters of connections already replaced or closed, so totals never go backwards. */
  private retired: WireCounters = { bytesSent: 0, bytesReceived: 0 };
  private readonly active = new Set<() => void>();

  constructor(private readonly options: ClientOptions) {
    if (!options.caPem) throw new Error('graphql: transport h3 needs options.caPem (the run CA), got none');
  }

  /** Resolves once the QUIC + TLS handshake (and so HTTP/3 setup) is done. */
  async connect(): Promise<void> {
    await this.connection();
  }

  async send(request: HttpRequest, options: CallOptions): Promise<HttpResponse> {
    const { signal, onFirstByte } = options;
    if (signal?.aborted) throw cancelled('before it started');
    const connection = await this.connection();
    if (signal?.aborted) throw cancelled('before it started');
    let call: ReturnType<Http3Connection['request']>;
    try {
      call = connection.request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(signal ? { signal } : {}),
        ...(onFirstByte ? { onFirstByte } : {}),
      });
    } catch (error) {
      throw asClientError(error, signal);
    }
    const stop = (): void => call.cancel(cancelled('because the client closed'));
    this.active.add(stop);
    call.req.once('close', () => this.active.delete(stop));
    let res: Awaited<typeof call.response>;
    try {
      res = await call.response;
    } catch (error) {
      throw asClientError(error, signal);
    }
    return {
      status: res.status,
      contentType: String(res.headers['content-type'] ?? ''),
      body: bodyOf(res, signal),
      cancel: () => call.cancel(cancelled('by the client')),
    };
  }

  /** UDP payload bytes of every connection this client opened (see lib/http3 `wireCounters`). */
  wireCounters(): WireCounters {
    const now = this.live?.wireCounters() ?? { bytesSent: 0, bytesReceived: 0 };
    return {
      bytesSent: this.retired.bytesSent + now.bytesSent,
      bytesReceived: this.retired.bytesReceived + now.bytesReceived,
    };
  }

  async close(): Promise<void> {
    for (const stop of this.active) stop();
    const slot = this.slot;
    this.slot = undefined;
    await slot?.then((c) => c.close()).catch(() => {});
    if (this.live) this.retire(this.live);
  }

  /** The live connection, or a new one; concurrent callers share one handshake. */
  private connection(): Promise<Http3Connection> {
    const slot = this.slot;
    if (!slot) return this.replace();
    return slot.then((connection) => {
      if (!connection.closed) return connection;
      if (this.slot !== slot) return this.connection();
      this.retire(connection);
      return this.replace();
    });
  }

  private replace(): Promise<Http3Connection> {
    const caPem = this.options.caPem;
    const pending: Promise<Http3Connection> = connectHttp3(this.options.url, caPem ? { caPem } : {}).then(
      (connection) => {
        this.live = connection;
        return connection;
      },
      (error: unknown) => {
        if (this.slot === pending) this.slot = undefined;
        const message = error instanceof Error ? error.message : String(error);
        throw new ClientError('UNAVAILABLE', `graphql: could not connect to ${this.options.url}: ${message}`);
      },
    );
    this.slot = pending;
    return pending;
  }

  private retire(connection: Http3Connection): void {
    if (this.live !== connection) return;
    this.live = undefined;
    const counters = connection.wireCounters();
    this.retired = {
      bytesSent: this.retired.bytesSent + counters.bytesSent,
      bytesReceived: this.retired.bytesReceived + counters.bytesReceived,
    };
  }
}

/**
 * The response body; a stream that ends without its FIN (reset, cancelled,
 * connection lost) is an error, never a silently short body.
 */
async function* bodyOf(
  res: AsyncIterable<Buffer> & { readonly complete: boolean },
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of res) yield chunk;
  } catch (error) {
    throw asClientError(error, signal);
  }
  if (!res.complete) {
    throw asClientError(new Error('the HTTP/3 stream ended before the end of the body'), signal);
  }
}
