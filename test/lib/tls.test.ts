import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { generateTls } from '../../lib/tls.js';

test('a client trusting only the run CA completes a verified TLS handshake to 127.0.0.1 and localhost', async (t) => {
  const tls = await generateTls();
  const server = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const get = (host: string, ca?: string): Promise<string> =>
    new Promise((resolve, reject) => {
      https
        .get(
          { host: '127.0.0.1', servername: host === '127.0.0.1' ? '' : host, port, ca, agent: false },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => {
              body += c.toString();
            });
            res.on('end', () => resolve(body));
          },
        )
        .on('error', reject);
    });
  try {
    t.is(await get('127.0.0.1', tls.caPem), 'ok');
    t.is(await get('localhost', tls.caPem), 'ok');
    // Without the CA, verification must fail: nothing is trusted globally.
    await t.throwsAsync(get('127.0.0.1'), { message: /self-signed|unable to verify|certificate/i });
    t.is(tls.certSha256.byteLength, 32);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('every run gets a fresh CA', async (t) => {
  const [a, b] = await Promise.all([generateTls(), generateTls()]);
  t.not(a.caPem, b.caPem);
  t.not(a.keyPem, b.keyPem);
});
