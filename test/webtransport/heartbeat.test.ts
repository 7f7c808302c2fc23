import net from 'node:net';
import test from 'ava';
import { createRealtimeClient } from '../../clients/webtransport/index.js';
import { generateTls } from '../../lib/tls.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { startWebTransport } from '../../services/webtransport/index.js';
import { waitFor } from '../realtime/helpers.js';

/**
 * A peer that goes silent without a FIN (a dead network, not a closed
 * socket): only the server's HTTP/2 PING heartbeat can tell. A TCP relay
 * between client and server stops forwarding in both directions and keeps
 * its sockets open.
 */
test('webtransport: a peer that stops answering HTTP/2 PINGs is cut and its subscription freed', async (t) => {
  const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
  const tls = await generateTls();
  const server = await startWebTransport(core, {
    host: '127.0.0.1',
    port: 0,
    transport: 'h2',
    tls,
    limits: { heartbeatMs: 100 },
  });
  const relay = await frozenRelay(Number(new URL(server.url).port));
  const client = createRealtimeClient({
    url: `https://127.0.0.1:${relay.port}`,
    transport: 'h2',
    encoding: 'proto',
    caPem: tls.caPem,
    reconnect: { maxAttempts: 1 },
  });
  t.teardown(async () => {
    await client.close();
    relay.close();
    await server.close();
  });
  const sub = client.subscribe('silent');
  await sub.ready;
  t.is(server.connections(), 1);
  relay.freeze();
  await waitFor(
    () => server.connections() === 0 && core.topics.subscriberCount('silent') === 0,
    'the silent peer cut and its subscription freed',
  );
  t.true(relay.open(), 'the relay never closed its sockets: the server found out by itself');
});

/** A TCP relay to `port` that can stop forwarding without closing anything. */
async function frozenRelay(port: number) {
  const sockets = new Set<net.Socket>();
  let frozen = false;
  const relay = net.createServer((downstream) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
    }
    downstream.on('data', (chunk: Buffer) => frozen || upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => frozen || downstream.write(chunk));
    downstream.once('close', () => frozen || upstream.destroy());
    upstream.once('close', () => frozen || downstream.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as net.AddressInfo).port,
    freeze: () => {
      frozen = true;
    },
    /** Whether the relay still holds a socket to the client (it was frozen, not closed). */
    open: () => [...sockets].some((s) => !s.destroyed && s.remotePort !== port),
    close: () => {
      for (const socket of sockets) socket.destroy();
      relay.close();
    },
  };
}
