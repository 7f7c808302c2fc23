import {
  connectHttp3,
  type Http3Connection,
  type Http3ConnectOptions,
  type WireCounters,
} from './connection.js';
import { type Http3Resumption, TicketLedger } from './ticket-ledger.js';

/**
 * One HTTP/3 connection to a server, opened on first use and reopened when
 * it closed (an idle timeout, a server restart), with wire counters that
 * sum every connection it ever opened. Why: a client object multiplexes all
 * its calls on one QUIC connection, as on HTTP/2, but must survive losing it,
 * and the bench diffs monotonic counters around a measured phase.
 */
export class ReconnectingHttp3 {
  private current: Promise<Http3Connection> | undefined;
  private readonly live = new Set<Http3Connection>();
  /** Counters of connections already closed or replaced, so totals never go backwards. */
  private retired: WireCounters = { bytesSent: 0, bytesReceived: 0 };
  private closed = false;
  private readonly tickets = new TicketLedger();

  constructor(
    private readonly url: string,
    private readonly options: Http3ConnectOptions = {},
  ) {}

  /** The open connection; concurrent callers share one handshake. */
  connection(): Promise<Http3Connection> {
    if (this.closed) return Promise.reject(new Error(`http3: connection to ${this.url} was closed`));
    const current = this.current;
    if (!current) return this.open();
    return current.then((connection) => {
      if (!connection.closed) return connection;
      if (this.current === current) {
        this.retire(connection);
        return this.open();
      }
      return this.connection();
    });
  }

  /** UDP payload bytes sent and received, over every connection opened so far (closed ones included). */
  wireCounters(): WireCounters {
    let { bytesSent, bytesReceived } = this.retired;
    for (const connection of this.live) {
      const counters = connection.wireCounters();
      bytesSent += counters.bytesSent;
      bytesReceived += counters.bytesReceived;
    }
    return { bytesSent, bytesReceived };
  }

  /**
   * Session tickets: the newest one received (for a later client) and how
   * many connections offered `options.sessionTicket` — every connection it
   * opens offers the one it was given, as a client resuming after a restart.
   */
  resumption(): Http3Resumption {
    return this.tickets.state();
  }

  /** Closes the connection (in-flight streams fail); later `connection()` calls reject. */
  async close(): Promise<void> {
    this.closed = true;
    const current = this.current;
    this.current = undefined;
    const connection = await current?.catch(() => undefined);
    await connection?.close();
    for (const open of [...this.live]) this.retire(open);
  }

  private open(): Promise<Http3Connection> {
    const pending = connectHttp3(this.url, this.options).then(
      (connection) => {
        this.live.add(connection);
        this.tickets.add(connection);
        return connection;
      },
      (error: unknown) => {
        if (this.current === pending) this.current = undefined;
        throw error;
      },
    );
    this.current = pending;
    return pending;
  }

  private retire(connection: Http3Connection): void {
    if (!this.live.delete(connection)) return;
    const counters = connection.wireCounters();
    this.retired = {
      bytesSent: this.retired.bytesSent + counters.bytesSent,
      bytesReceived: this.retired.bytesReceived + counters.bytesReceived,
    };
  }
}
