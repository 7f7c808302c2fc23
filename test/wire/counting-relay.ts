import { once } from 'node:events';
import net from 'node:net';

/**
 * A TCP relay that counts the bytes it forwards: an independent count of what
 * a client put on (and took off) the wire, to check the bench's kernel-based
 * wire bytes against. Test fixture only.
 */
export interface CountingRelay {
  readonly port: number;
  /** Bytes the client sent through the relay / received from it, since `reset()`. */
  readonly counts: { fromClient: number; toClient: number };
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingRelay(targetPort: number, host = '127.0.0.1'): Promise<CountingRelay> {
  const counts = { fromClient: 0, toClient: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, host);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      counts.fromClient += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      counts.toClient += chunk.length;
      client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  server.listen(0, host);
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    counts,
    reset: () => {
      counts.fromClient = 0;
      counts.toClient = 0;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
