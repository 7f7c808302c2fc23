import test from 'ava';
import { diffCounters, readTcpCounters } from '../../bench/wire/tcp-info.js';
import { generateTls } from '../../lib/tls.js';
import { findProtocol } from '../../protocols/registry.js';
import type { TransportId } from '../../protocols/types.js';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { startCountingRelay } from './counting-relay.js';

const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });

/**
 * The bench's wire bytes (kernel tcp_info via ss) against an independent
 * count (a relay counting what it forwards), for REST GETs: within 2%.
 */
for (const transport of ['h1', 'h2c', 'h2'] as TransportId[]) {
  test(`wire bytes of REST ${transport} GETs match an independent relay count within 2%`, async (t) => {
    const rest = findProtocol('rest');
    if (!rest?.transports.includes(transport)) {
      t.log(`rest over ${transport} is not in the registry yet; nothing to compare`);
      t.pass();
      return;
    }
    const tls = await generateTls();
    const server = await rest.start(core, { host: '127.0.0.1', port: 0, transport, tls });
    const relay = await startCountingRelay(Number(new URL(server.url).port));
    const url = `${new URL(server.url).protocol}//127.0.0.1:${relay.port}`;
    const client = rest.createClient({ url, transport, encoding: 'json', caPem: tls.caPem });
    try {
      await client.connect();
      await client.unary(FeedService.method.getPost, { id: 'p000001' });
      const before = await readTcpCounters(relay.port);
      if (!before) {
        t.log('ss with tcp_info counters is unavailable; cannot compare');
        t.pass();
        return;
      }
      relay.reset();
      for (let i = 0; i < 200; i++) await client.unary(FeedService.method.getPost, { id: `p00000${i % 10}` });
      const after = await readTcpCounters(relay.port);
      const kernel = diffCounters(before, after ?? []);
      t.log(
        `kernel sent ${kernel.bytesSent} received ${kernel.bytesReceived}; relay ${relay.counts.fromClient} / ${relay.counts.toClient}`,
      );
      const within = (a: number, b: number): boolean => Math.abs(a - b) <= 0.02 * b;
      t.true(relay.counts.toClient > 200 * 500, 'responses carry the post bodies');
      t.true(within(kernel.bytesReceived, relay.counts.toClient), 'response bytes within 2%');
      t.true(within(kernel.bytesSent, relay.counts.fromClient), 'request bytes within 2%');
    } finally {
      await client.close();
      await relay.close();
      await server.close();
    }
  });
}
