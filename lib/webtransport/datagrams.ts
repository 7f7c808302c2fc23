import type { ServerDatagrams } from '../push-streams/index.js';

/** The W3C datagram surface of a WebTransport session (fails-components' and browsers'), reduced to what is used. */
export interface DatagramDuplexLike {
  readonly readable: {
    getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }> };
  };
  readonly maxDatagramSize: number;
  createWritable(): {
    getWriter(): { write(chunk: Uint8Array): Promise<void> };
  };
}

/**
 * Gives every datagram the session receives to `listener`, until the
 * session ends. Also used on the server, which expects none, to discard
 * what a client sends: unread datagrams would queue in the package's
 * readable stream without bound.
 */
export function readDatagrams(datagrams: DatagramDuplexLike, listener: (bytes: Uint8Array) => void): void {
  const reader = datagrams.readable.getReader();
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value) listener(value);
    }
  })().catch(() => {
    // The session ended: its `closed` reports how.
  });
}

/**
 * A session's datagrams as the push server's ServerDatagrams.
 *
 * Over HTTP/2, @fails-components/webtransport 1.6.8 writes datagrams as
 * DATAGRAM capsules (RFC 9297) on the session's CONNECT stream, so TCP
 * carries them reliably and in order; what changes against streams is that
 * every subscription shares that one ordered channel and no per-stream flow
 * control applies. Two package behaviours are handled here: a datagram over
 * `maxDatagramSize` is dropped silently by its writable (so it is refused
 * here, and the caller sends it on the stream), and datagrams written while
 * the TCP connection is blocked wait in an unbounded array
 * (`objint.datagramsWaiting_`), whose bytes `buffered()` reports so the
 * slow-consumer limit covers them. Where that internal is missing (another
 * package version) `buffered()` reports 0 and the heartbeat still cuts a
 * peer that stopped reading.
 */
export function serverDatagramsOf(session: { readonly datagrams: DatagramDuplexLike }): ServerDatagrams {
  const writer = session.datagrams.createWritable().getWriter();
  const waiting = (): readonly Uint8Array[] | undefined =>
    (session as { objint?: { datagramsWaiting_?: Uint8Array[] } }).objint?.datagramsWaiting_;
  return {
    send: (bytes) => {
      if (bytes.byteLength > session.datagrams.maxDatagramSize) return false;
      writer.write(bytes).catch(() => {});
      return true;
    },
    buffered: () => {
      let bytes = 0;
      for (const chunk of waiting() ?? []) bytes += chunk.byteLength;
      return bytes;
    },
  };
}
