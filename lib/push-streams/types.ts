import type { WireCounters } from '../http3/index.js';

/**
 * One byte stream of a push session, as both transports expose it (a
 * WebTransport bidirectional stream, a raw QUIC stream). The session logic
 * (server-session.ts, client.ts) sees only this, so WebTransport
 * and QUIC share every rule about frames, limits and resume.
 */
export interface PushStream {
  /** The received bytes; ends at the peer's FIN, throws on a reset or a lost session. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Queues bytes without waiting; `buffered()` tells how much is not yet taken by the transport. */
  send(bytes: Uint8Array): void;
  /** Bytes queued in user space on this stream, not yet accepted by the transport's flow control. */
  buffered(): number;
  /** FIN after what is queued. */
  end(): void;
  /** Abandons both directions (RESET_STREAM / STOP_SENDING); `code` fits in a byte. */
  reset(code: number): void;
}

/** How a push session ended, as the peer or the network reported it. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/**
 * The server's side of a session's datagrams (QUIC DATAGRAM frames,
 * WebTransport datagrams), for subscriptions with datagram delivery.
 */
export interface ServerDatagrams {
  /**
   * Hands one datagram to the transport: true when it took it (it may still be
   * lost on the way — that is the point), false when it will not (larger than
   * the path allows now, or the peer did not enable datagrams).
   */
  send(bytes: Uint8Array): boolean;
  /** Datagram bytes queued in user space, not yet written (counts toward the slow-consumer limit). */
  buffered(): number;
}

/** The server's view of one client session: its incoming streams and how to end it. */
export interface PushServerConnection {
  /** Streams the client opens, in order. */
  readonly streams: AsyncIterable<PushStream>;
  /** The session's datagrams, where the transport has them. */
  readonly datagrams?: ServerDatagrams;
  /** Settles once the session has ended, however it ended. */
  readonly closed: Promise<CloseInfo>;
  /** Ends the session with a code the client sees (see codes.ts). */
  close(code: number, reason: string): void;
  /**
   * The client announced its close (frames.ts `closing`): settle `closed`
   * now but leave the transport close to the client, whose own close must
   * not race the server's answer to the announcement. Where absent, the
   * session closes with `close`.
   */
  release?(code: number, reason: string): void;
}

/** The client's view of one session. */
export interface PushClientConnection {
  openStream(): Promise<PushStream>;
  /**
   * Where the transport has datagrams: registers the one listener every
   * datagram the server sends is given to (the client demultiplexes by flow id).
   */
  onDatagram?(listener: (bytes: Uint8Array) => void): void;
  /**
   * QUIC only: UDP payload bytes this session sent and received so far, still
   * readable after it closed (the last snapshot). Undefined over TCP, where the
   * kernel's tcp_info counts.
   */
  wireCounters?(): WireCounters;
  readonly closed: Promise<CloseInfo>;
  /** Whether the session is still usable. */
  readonly open: boolean;
  close(code: number, reason: string): Promise<void>;
}
