import { isIP } from 'node:net';
import tls from 'node:tls';

const pins = new Map<string, Promise<Uint8Array>>();

/**
 * The SHA-256 of the server's leaf certificate, read over a TLS connection
 * that verifies the chain against `caPem` (or the system roots without it)
 * and the host name — then pinned with `serverCertificateHashes`.
 *
 * Why: the package's WebTransport client checks a server only by
 * certificate hash (it passes no `ca` to its HTTP/2 connection), while
 * wirebench clients get the run's CA. Verifying once with the CA and pinning
 * what was verified keeps "verification is never switched off" true. The
 * probe runs once per URL and CA per process (cached), during `connect()`,
 * so it never counts in warm figures.
 */
export function pinnedCertificateHash(url: string, caPem: string | undefined): Promise<Uint8Array> {
  const key = `${url}\n${caPem ?? ''}`;
  let pin = pins.get(key);
  if (!pin) {
    pin = probe(url, caPem);
    pins.set(key, pin);
    pin.catch(() => pins.delete(key));
  }
  return pin;
}

function probe(url: string, caPem: string | undefined): Promise<Uint8Array> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(target.port || 443);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      ...(caPem ? { ca: caPem } : {}),
      ALPNProtocols: ['h2'],
      rejectUnauthorized: true,
    });
    socket.once('secureConnect', () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      resolve(Uint8Array.from(fingerprint.split(':').map((byte) => Number.parseInt(byte, 16))));
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(
        new Error(
          `webtransport: expected a certificate verified by the given CA at ${target.host}, got ${error.message}`,
        ),
      );
    });
  });
}
