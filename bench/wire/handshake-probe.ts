import net from 'node:net';
import tls from 'node:tls';
import { LatencyHistogram } from '../stats/latency-histogram.js';

export interface HandshakeProbe {
  /** TCP three-way handshake: connect() to 'connect'. */
  readonly tcp: LatencyHistogram;
  /** TLS handshake after TCP (TLS 1.3 with the transport's ALPN); empty for cleartext. */
  readonly tls: LatencyHistogram;
}

/**
 * Times the connection phases of a URL with bare sockets, independent of any
 * protocol library: TCP connect, then (for https) the TLS handshake with the
 * same ALPN the transport uses. Cold TTFB should be about TCP + TLS + one
 * request; this probe lets a reader check that decomposition.
 */
export async function probeHandshakes(
  url: string,
  options: { samples: number; alpn?: string; caPem?: string; signal?: AbortSignal },
): Promise<HandshakeProbe> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(target.port);
  const secure = target.protocol === 'https:';
  const tcpHistogram = new LatencyHistogram();
  const tlsHistogram = new LatencyHistogram();
  for (let i = 0; i < options.samples && !options.signal?.aborted; i++) {
    const t0 = process.hrtime.bigint();
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
    const t1 = process.hrtime.bigint();
    tcpHistogram.recordNs(t1 - t0);
    if (secure) {
      const secured = await new Promise<tls.TLSSocket>((resolve, reject) => {
        const s = tls.connect({
          socket,
          servername: net.isIP(host) ? undefined : host,
          ca: options.caPem,
          ALPNProtocols: options.alpn ? [options.alpn] : undefined,
          minVersion: 'TLSv1.3',
        });
        s.once('secureConnect', () => resolve(s));
        s.once('error', reject);
      });
      tlsHistogram.recordNs(process.hrtime.bigint() - t1);
      secured.destroy();
    }
    socket.destroy();
  }
  return { tcp: tcpHistogram, tls: tlsHistogram };
}
