/**
 * Names shared by servers, clients and the bench. They are user-facing
 * (flags, results.json, report rows), fixed by shared/CONTRACT.md.
 */

/** API protocols. */
export const PROTOCOL_IDS = [
  'rest',
  'graphql',
  'grpc',
  'grpc-web',
  'connect',
  'websocket',
  'sse',
  'long-poll',
  'socketio',
  'webtransport',
  'quic',
] as const;
export type ProtocolId = (typeof PROTOCOL_IDS)[number];

/**
 * HTTP transports: `h1` HTTP/1.1 cleartext, `h1s` HTTP/1.1 over TLS, `h2`
 * HTTP/2 over TLS, `h2c` HTTP/2 cleartext (prior knowledge), `h3` HTTP/3 over QUIC.
 */
export const TRANSPORT_IDS = ['h1', 'h1s', 'h2', 'h2c', 'h3'] as const;
export type TransportId = (typeof TRANSPORT_IDS)[number];

/** Message encodings where a protocol has several. */
export const ENCODING_IDS = ['json', 'proto'] as const;
export type EncodingId = (typeof ENCODING_IDS)[number];

/** The four RPC shapes, named as protobuf names them. */
export type MethodKind = 'unary' | 'server_streaming' | 'client_streaming' | 'bidi_streaming';

/** Whether a transport runs over TLS (h1s, h2) — clients then need the run's CA. */
export function isTlsTransport(transport: TransportId): boolean {
  return transport === 'h1s' || transport === 'h2' || transport === 'h3';
}

/** The URL scheme a transport is reached with. */
export function schemeOf(transport: TransportId): 'http' | 'https' {
  return isTlsTransport(transport) ? 'https' : 'http';
}

/** The ALPN protocol id a TLS-over-TCP transport negotiates; undefined for cleartext and QUIC. */
export function alpnOf(transport: TransportId): 'http/1.1' | 'h2' | undefined {
  if (transport === 'h1s') return 'http/1.1';
  if (transport === 'h2') return 'h2';
  return undefined;
}

/** Whether a transport multiplexes many calls on one connection (HTTP/2, HTTP/3). */
export function isMultiplexed(transport: TransportId): boolean {
  return transport === 'h2' || transport === 'h2c' || transport === 'h3';
}
