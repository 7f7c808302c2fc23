import {
  connectHttp3,
  type Http3Call,
  type Http3Connection,
  TicketLedger,
  type WireCounters,
} from '../../lib/http3/index.js';
import { ClientError } from '../errors.js';
import { Http3SessionSource } from '../http3-session.js';
import type { CallOptions } from '../types.js';
import {
  asClientError,
  cancelled,
  type Exchange,
  type ExchangeRequest,
  type Exchanger,
  type ResponseLike,
} from './exchange.js';

/**
 * HTTP/3 for the REST client: `connections` QUIC connections (one by
 * default) through lib/http3, calls multiplexed on them as streams, round
 * robin when there are several. TLS trusts only the run's CA (see
 * lib/http3 `defaultServername` for the name checked on an IP URL). Given a
 * session ticket, every connection offers it (resumed TTFB).
 */
export class Http3Exchanger implements Exchanger {
  /** One slot per connection: its handshake, then the connection; reopened when it closes. */
  private readonly slots: (Promise<Http3Connection> | undefined)[];
  private readonly live: Http3Connection[] = [];
  /** Counters of connections already replaced or closed, so totals never go backwards. */
  private retired = { bytesSent: 0, bytesReceived: 0 };
  private next = 0;
  private readonly active = new Set<Exchange>();
  private readonly tickets = new TicketLedger();
  /** Tickets offered and received; whether one resumed is for `audit` to say. */
  readonly tls: Http3SessionSource;

  constructor(
    private readonly url: string,
    count: number,
    private readonly caPem: string | undefined,
    private readonly sessionTicket?: Buffer,
  ) {
    this.slots = Array.from({ length: count }, () => undefined);
    this.tls = new Http3SessionSource(url, caPem, () => this.tickets.state());
  }

  /** Opens every connection; resolves when each QUIC + TLS handshake (and so HTTP/3 setup) is done. */
  async connect(): Promise<void> {
    await Promise.all(this.slots.map((_, index) => this.connection(index)));
  }

  async open(request: ExchangeRequest, options: CallOptions): Promise<Exchange> {
    const { signal, onFirstByte } = options;
    if (signal?.aborted) throw cancelled('before it started');
    const connection = await this.connection(this.next++ % this.slots.length);
    if (signal?.aborted) throw cancelled('before it started');
    let call: Http3Call;
    try {
      call = connection.request({
        method: request.verb,
        path: request.path,
        headers: flatHeaders(request.headers),
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.upload ? { writable: true } : {}),
        ...(signal ? { signal } : {}),
        ...(onFirstByte ? { onFirstByte } : {}),
      });
    } catch (error) {
      throw asClientError(error, signal);
    }
    const response = call.response.then(
      (res): ResponseLike => ({
        statusCode: res.status,
        get complete() {
          return res.complete;
        },
        [Symbol.asyncIterator]: () => res[Symbol.asyncIterator](),
      }),
      (error: unknown) => {
        throw asClientError(error, signal);
      },
    );
    response.catch(() => {});
    let cancelReason: ClientError | undefined;
    const exchange: Exchange = {
      req: call.req,
      response,
      cancel: (error) => {
        cancelReason ??= error ?? cancelled('by the client');
        call.cancel(cancelReason);
      },
      get cancelReason() {
        return cancelReason ?? (signal?.aborted ? cancelled('by the caller') : undefined);
      },
    };
    this.active.add(exchange);
    call.req.once('close', () => this.active.delete(exchange));
    return exchange;
  }

  /** UDP payload bytes of every connection this client opened (see lib/http3 `wireCounters`). */
  wireCounters(): WireCounters {
    let { bytesSent, bytesReceived } = this.retired;
    for (const connection of this.live) {
      const counters = connection.wireCounters();
      bytesSent += counters.bytesSent;
      bytesReceived += counters.bytesReceived;
    }
    return { bytesSent, bytesReceived };
  }

  async close(): Promise<void> {
    for (const exchange of this.active) exchange.cancel(cancelled('because the client closed'));
    const slots = [...this.slots];
    this.slots.fill(undefined);
    await Promise.all(slots.map((slot) => slot?.then((c) => c.close()).catch(() => {})));
    for (const connection of [...this.live]) this.retire(connection);
  }

  /** The slot's connection, opening (or reopening) it when needed; concurrent callers share one handshake. */
  private connection(index: number): Promise<Http3Connection> {
    const slot = this.slots[index];
    if (!slot) return this.replace(index);
    return slot.then((connection) => {
      if (!connection.closed) return connection;
      if (this.slots[index] !== slot) return this.connection(index);
      this.retire(connection);
      return this.replace(index);
    });
  }

  private replace(index: number): Promise<Http3Connection> {
    const pending: Promise<Http3Connection> = connectHttp3(this.url, {
      ...(this.caPem ? { caPem: this.caPem } : {}),
      ...(this.sessionTicket ? { sessionTicket: this.sessionTicket } : {}),
    }).then(
      (connection) => {
        this.live.push(connection);
        this.tickets.add(connection);
        return connection;
      },
      (error: unknown) => {
        if (this.slots[index] === pending) this.slots[index] = undefined;
        const message = error instanceof Error ? error.message : String(error);
        throw new ClientError('UNAVAILABLE', `rest: ${message}`);
      },
    );
    this.slots[index] = pending;
    return pending;
  }

  private retire(connection: Http3Connection): void {
    const at = this.live.indexOf(connection);
    if (at < 0) return;
    this.live.splice(at, 1);
    const counters = connection.wireCounters();
    this.retired = {
      bytesSent: this.retired.bytesSent + counters.bytesSent,
      bytesReceived: this.retired.bytesReceived + counters.bytesReceived,
    };
  }
}

/** node's header values (string | number | string[]) as HTTP/3 field values. */
function flatHeaders(headers: ExchangeRequest['headers']): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = typeof value === 'number' ? String(value) : value;
  }
  return out;
}
