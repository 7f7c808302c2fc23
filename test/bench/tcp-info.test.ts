import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { diffCounters, parseSsOutput, readTcpCounters } from '../../bench/wire/tcp-info.js';

const SAMPLE = `0      0          127.0.0.1:39160    127.0.0.1:8080 users:(("node",pid=4242,fd=21))
\t cubic wscale:10,10 rto:204 rtt:0.02/0.01 mss:32768 bytes_sent:65 bytes_acked:66 bytes_received:1125 segs_out:6
0      0          127.0.0.1:39170    127.0.0.1:8080 users:(("curl",pid=999,fd=5))
\t cubic bytes_sent:10 bytes_received:20
`;

test('parses only the given pid’s connections', (t) => {
  t.deepEqual(parseSsOutput(SAMPLE, 4242), [
    { local: '127.0.0.1:39160', bytesSent: 65, bytesReceived: 1125 },
  ]);
  t.deepEqual(parseSsOutput(SAMPLE, 1), []);
});

test('diff counts new connections from zero and subtracts old ones', (t) => {
  const before = [{ local: 'a', bytesSent: 10, bytesReceived: 100 }];
  const after = [
    { local: 'a', bytesSent: 15, bytesReceived: 160 },
    { local: 'b', bytesSent: 7, bytesReceived: 9 },
  ];
  t.deepEqual(diffCounters(before, after), { bytesSent: 12, bytesReceived: 69, connections: 2 });
});

test('kernel counters match what an HTTP/1.1 exchange moved (live, needs ss)', async (t) => {
  const body = 'x'.repeat(5000);
  const server = http.createServer((_req, res) => res.end(body)).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (): Promise<number> =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, agent, path: '/' }, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => {
            n += c.length;
          });
          res.on('end', () => resolve(n));
        })
        .on('error', reject);
    });
  try {
    await get();
    const before = await readTcpCounters(port);
    if (!before) {
      t.log('ss with tcp_info byte counters is not available here; only the parser was tested');
      t.pass();
      return;
    }
    for (let i = 0; i < 20; i++) await get();
    const after = await readTcpCounters(port);
    t.truthy(after);
    const d = diffCounters(before, after ?? []);
    t.is(d.connections, 1);
    // 20 responses of 5000 body bytes plus headers; 20 small requests.
    t.true(d.bytesReceived > 20 * 5000 && d.bytesReceived < 20 * 5400, `got ${d.bytesReceived}`);
    t.true(d.bytesSent > 20 * 30 && d.bytesSent < 20 * 200, `got ${d.bytesSent}`);
  } finally {
    agent.destroy();
    server.closeAllConnections();
    server.close();
  }
});
