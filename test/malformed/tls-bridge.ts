import net from 'node:net';
import tls from 'node:tls';

/** A cleartext address that reaches a server, and how to stop it. */
export interface Bridge {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Lets a cleartext-only raw client (test/realtime/raw-ws.ts writes frames on
 * a plain TCP socket) reach an `https://` server: each accepted connection is
 * piped into a TLS connection to `url` that trusts only `caPem`, so the
 * server parses the very same bytes, decrypted on its side as with any TLS
 * client. An `http://` URL is returned as it is. A relay rather than a TLS
 * copy of raw-ws.ts, so the frame writer stays one implementation.
 */
export async function cleartextBridge(url: string, caPem: string): Promise<Bridge> {
  const target = new URL(url);
  if (target.protocol !== 'https:') return { url, close: async () => {} };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((downstream) => {
    const upstream = tls.connect({
      host: target.hostname,
      port: Number(target.port),
      ca: caPem,
      servername: 'localhost',
      ALPNProtocols: ['http/1.1'],
    });
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    // Either side ending or failing ends both: the client sees what the server did.
    downstream.on('error', () => upstream.destroy());
    upstream.on('error', () => downstream.destroy());
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
