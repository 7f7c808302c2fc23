import type { ServerHttp3Stream } from '@currentspace/http3';
import { serveHttp3Streams } from '../../lib/http3/index.js';
import type { ProtocolId } from '../../protocols/types.js';
import type { StartOptions } from '../types.js';
import type { HttpExchange } from './exchange.js';
import { h3Exchange } from './h3-exchange.js';

/** A listening HTTP/3 server for the push routes: the subset of HttpHost they use. */
export interface H3Host {
  readonly url: string;
  /** Closes every QUIC connection at once (no end of stream), as a network failure would; returns how many. */
  dropConnections(): number;
  /** Lets open exchanges finish (end long-lived ones first), then closes every connection and the UDP socket. */
  close(): Promise<void>;
}

/**
 * Serves `handler` over HTTP/3 (lib/http3: QUIC on UDP, `https://host:port`),
 * each request stream as an HttpExchange. The SSE and long-poll routes run
 * unchanged on it: they only ever see the exchange.
 */
export async function startH3Host(
  protocol: ProtocolId,
  options: StartOptions,
  handler: (exchange: HttpExchange) => Promise<void>,
  /**
   * QUIC idle timeout. A client that vanishes without CONNECTION_CLOSE (a
   * killed process, a lost network) is noticed only by it, so the caller
   * sizes it just above the longest silence a live client shows.
   */
  maxIdleTimeoutMs: number,
): Promise<H3Host> {
  if (!options.tls) {
    throw new Error(`${protocol}: transport h3 needs options.tls (certificate and key), got none`);
  }
  const streams = new Set<ServerHttp3Stream>();
  const server = await serveHttp3Streams(
    async (stream, headers, flags) => {
      streams.add(stream);
      stream.once('close', () => streams.delete(stream));
      const { exchange, done } = h3Exchange(stream, headers, flags);
      await handler(exchange).catch(() => exchange.destroy());
      await done();
    },
    {
      host: options.host,
      port: options.port,
      certPem: options.tls.certPem,
      keyPem: options.tls.keyPem,
      maxIdleTimeoutMs,
    },
  );
  return {
    url: server.url,
    // Streams are severed locally first (no frame sent): closing a QUIC connection is queued to the
    // package's native worker, and events written meanwhile would still be delivered — a cut TCP socket
    // takes no more writes from the moment it is destroyed.
    dropConnections: () => {
      for (const stream of streams) stream.destroy();
      return server.dropConnections();
    },
    close: server.close,
  };
}
