/**
 * Session close codes of the stream push protocols (WebTransport
 * `closeCode`, QUIC application error code in CONNECTION_CLOSE). They are
 * the WebSocket close codes (RFC 6455 §7.4.1) for the same situations, so
 * one table reads for every push protocol in reports and tests.
 */
export const CLOSE = {
  /** Normal close: the client is done, or the session was idle. */
  normal: 1000,
  /** The server is shutting down. */
  goingAway: 1001,
  /** A frame that does not decode, or a stream that starts with the wrong frame. */
  invalidFrame: 1007,
  /** A policy limit (subscriptions per session). */
  policy: 1008,
  /** A frame over the size limit. */
  tooBig: 1009,
  /** The peer did not drain what it was sent in time (slow consumer). */
  slowConsumer: 1013,
  /** Not a close at all on the wire: `dropConnections()` simulating a network cut. */
  dropped: 1006,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

/** The name of a close code, for messages ("closed with 1009 (tooBig)"). */
export function closeName(code: number): string {
  const entry = Object.entries(CLOSE).find(([, value]) => value === code);
  return entry ? `${code} (${entry[0]})` : String(code);
}
