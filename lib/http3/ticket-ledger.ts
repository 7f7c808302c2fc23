import type { Http3Connection } from './connection.js';

/** What a client's HTTP/3 connections did with TLS session tickets. */
export interface Http3Resumption {
  /** The newest ticket any of its connections received: what a later client may offer. */
  readonly ticket: Buffer | undefined;
  /** Connections that offered a ticket; the package cannot say which of them resumed (handshake-audit.ts can). */
  readonly offered: number;
  /** Connections that offered none: full handshakes by definition. */
  readonly plain: number;
}

/**
 * Keeps the newest session ticket over every connection a client opens
 * (reconnects included) and counts which offered one. Only the latest
 * connection is held, so a client that reconnects thousands of times
 * (reconnect-storm) keeps no history.
 */
export class TicketLedger {
  private latest: Http3Connection | undefined;
  private earlier: Buffer | undefined;
  private offered = 0;
  private plain = 0;

  add(connection: Http3Connection): void {
    this.earlier = this.latest?.sessionTicket() ?? this.earlier;
    this.latest = connection;
    if (connection.offeredTicket) this.offered++;
    else this.plain++;
  }

  state(): Http3Resumption {
    return {
      ticket: this.latest?.sessionTicket() ?? this.earlier,
      offered: this.offered,
      plain: this.plain,
    };
  }
}
