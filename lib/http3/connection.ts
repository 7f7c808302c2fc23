import { isIP } from 'node:net';
import type { Http3ClientSession } from '@currentspace/http3';
import { loadHttp3 } from './load.js';
import { type Http3Call, type Http3RequestInit, http3Request } from './request.js';
import { HTTP3_CONNECT_CHANNEL, type Http3ConnectPhases } from './setup-channel.js';

export interface Http3ConnectOptions {
  /** PEM of the one CA to trust; without it the system roots apply. Verification is never switched off. */
  readonly caPem?: string;
  /**
   * TLS server name (SNI and the name the certificate must carry). Default:
   * the URL's host name, or `localhost` when the URL's host is an IP literal
   * — see `defaultServername` for why.
   */
  readonly servername?: string;
  /** Gives up on the handshake. */
  readonly signal?: AbortSignal;
  /** Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** QUIC idle timeout. Default 65 s, like the servers' keep-alive: longer than any pause in a run. */
  readonly maxIdleTimeoutMs?: number;
  /**
   * A TLS session ticket an earlier connection to the same server received
   * (`Http3Connection.sessionTicket()`), offered for a resumed handshake. A
   * ticket the server declines (or cannot parse) costs a full handshake, not
   * an error. The package reports no "resumed" flag: see handshake-audit.ts.
   */
  readonly sessionTicket?: Buffer;
  /** Directory for quiche's qlog of this connection (handshake-audit.ts reads it); costs milliseconds per connection. */
  readonly qlogDir?: string;
}

/** UDP payload bytes of one QUIC connection, as quiche counts them. */
export interface WireCounters {
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

/** One QUIC connection with HTTP/3 on it: requests are streams multiplexed on it. */
export interface Http3Connection {
  /** Starts a request; see `http3Request`. */
  request(init: Http3RequestInit): Http3Call;
  /**
   * UDP payload bytes sent and received on this connection since the
   * handshake began (QUIC packets including retransmissions, coalesced
   * packets counted once per datagram) — quiche's `sent_bytes`/`recv_bytes`,
   * read synchronously from the native session. Still readable after
   * `close()`: the snapshot taken just before it (a connection the server
   * closed keeps the package's last poll, at most ~1 s old).
   */
  wireCounters(): WireCounters;
  /**
   * The newest TLS session ticket the server issued on this connection (TLS
   * 1.3 sends it after the handshake, so shortly after the first exchange),
   * for `Http3ConnectOptions.sessionTicket` of a later connection.
   */
  sessionTicket(): Buffer | undefined;
  /** Whether this connection offered a session ticket (its handshake may or may not have resumed it). */
  readonly offeredTicket: boolean;
  /** The session closed (either side, or an idle timeout); new requests need a new connection. */
  readonly closed: boolean;
  /** CONNECTION_CLOSE with H3_NO_ERROR; in-flight streams fail. */
  close(): Promise<void>;
}

/**
 * Opens an HTTP/3 connection to `url` (`https://host:port`) and resolves once
 * the QUIC + TLS handshake is complete, so the first request pays no
 * handshake. Trusts only `caPem` when given.
 */
export async function connectHttp3(url: string, options: Http3ConnectOptions = {}): Promise<Http3Connection> {
  const { connect } = await loadHttp3();
  const target = new URL(url);
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(target.port || 443);
  const authority = target.host;
  const servername = options.servername ?? defaultServername(host);
  const callNs = process.hrtime.bigint();
  const session = connect(isIP(host) ? { address: host, port, servername } : { host, port, servername }, {
    ...(options.caPem ? { ca: options.caPem } : {}),
    rejectUnauthorized: true,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.sessionTicket ? { sessionTicket: options.sessionTicket } : {}),
    ...(options.qlogDir ? { qlogDir: options.qlogDir } : {}),
  });
  // Session errors fail their streams (each rejects on its own); they must not crash the process.
  session.on('error', () => {});
  // Emitted once the package has built the connection's native worker and started the handshake.
  let handshakeStartNs: bigint | undefined;
  session.once('runtime', () => {
    handshakeStartNs = process.hrtime.bigint();
  });
  // Attached before the handshake: the ticket follows it, possibly before ready() resolves.
  let ticket: Buffer | undefined;
  session.on('sessionTicket', (received: Buffer) => {
    ticket = received;
  });
  try {
    await session.ready();
  } catch (error) {
    await session.close().catch(() => {});
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`http3: expected a handshake with ${authority}, got ${message}`);
  }
  if (HTTP3_CONNECT_CHANNEL.hasSubscribers) {
    const readyNs = process.hrtime.bigint();
    const phases: Http3ConnectPhases = {
      authority,
      callNs,
      handshakeStartNs: handshakeStartNs ?? callNs,
      readyNs,
    };
    HTTP3_CONNECT_CHANNEL.publish(phases);
  }
  return wrap(session, authority, () => ticket, options.sessionTicket !== undefined);
}

function wrap(
  session: Http3ClientSession,
  authority: string,
  ticket: () => Buffer | undefined,
  offeredTicket: boolean,
): Http3Connection {
  let last: WireCounters = { bytesSent: 0, bytesReceived: 0 };
  const counters = (): WireCounters => {
    const metrics = session.getMetrics();
    if (metrics) last = { bytesSent: metrics.bytesOut, bytesReceived: metrics.bytesIn };
    return last;
  };
  let closing: Promise<void> | undefined;
  return {
    request: (init) => http3Request(session, authority, init),
    wireCounters: counters,
    sessionTicket: ticket,
    offeredTicket,
    get closed() {
      return closing !== undefined || session.closed;
    },
    close: () => {
      // Read the counters first: a closed session's native counters are gone.
      counters();
      closing ??= session.close().catch(() => {});
      return closing;
    },
  };
}

/**
 * The name to verify the server certificate against. The package's
 * verifier (quiche + BoringSSL) checks the chain against the given CA but
 * matches the name only against DNS entries: with an IP literal as the name,
 * a certificate whose SAN holds that very IP is still refused ("session
 * closed before handshake completed", measured with 0.9.0). So for an IP URL
 * the default is `localhost`, a DNS name every certificate from
 * lib/tls.ts `generateTls()` carries; the chain is still verified against
 * the caller's CA only.
 */
export function defaultServername(host: string): string {
  return isIP(host) ? 'localhost' : host;
}
