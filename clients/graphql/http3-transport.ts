import {
  type Http3Call,
  type Http3Connection,
  type Http3Response,
  ReconnectingHttp3,
  type WireCounters,
} from '../../lib/http3/index.js';
import { ClientError } from '../errors.js';
import { Http3SessionSource } from '../http3-session.js';
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
 *
 * Known limit (measured with @currentspace/http3 0.9): cancelling a
 * subscription resets its stream, but the request (a POST) already sent its
 * FIN, and the server's QUIC stack surfaces a reset after FIN only at the
 * server's next write — the next event, or yoga's keep-alive ping (12 s).
 * Until then the server keeps the subscription; HTTP/1.1 and HTTP/2 free it
 * at once. (The SSE client avoids this by keeping a GET's request side open;
 * a POST body must end before yoga parses it.)
 */
export class Http3Transport implements HttpTransport {
  private readonly connection: ReconnectingHttp3;
  private readonly active = new Set<() => void>();
  /** Tickets offered (`options.tlsSession`) and received; whether one resumed is for `audit` to say. */
  readonly tls: Http3SessionSource;

  constructor(private readonly options: ClientOptions) {
    if (!options.caPem) throw new Error('graphql: transport h3 needs options.caPem (the run CA), got none');
    const connection = new ReconnectingHttp3(options.url, {
      caPem: options.caPem,
      ...(options.tlsSession ? { sessionTicket: options.tlsSession } : {}),
    });
    this.connection = connection;
    this.tls = new Http3SessionSource(options.url, options.caPem, () => connection.resumption());
  }

  /** Resolves once the QUIC + TLS handshake (and so HTTP/3 setup) is done. */
  async connect(): Promise<void> {
    await this.open();
  }

  async send(request: HttpRequest, options: CallOptions): Promise<HttpResponse> {
    const { signal, onFirstByte } = options;
    if (signal?.aborted) throw cancelled('before it started');
    const connection = await this.open();
    if (signal?.aborted) throw cancelled('before it started');
    let call: Http3Call;
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
    let res: Http3Response;
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
    return this.connection.wireCounters();
  }

  async close(): Promise<void> {
    for (const stop of this.active) stop();
    await this.connection.close();
  }

  private async open(): Promise<Http3Connection> {
    try {
      return await this.connection.connection();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ClientError('UNAVAILABLE', `graphql: could not connect to ${this.options.url}: ${message}`);
    }
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
