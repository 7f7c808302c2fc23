import dgram from 'node:dgram';
import http2 from 'node:http2';
import test from 'ava';
import { connectHttp3, http3Unavailable } from '../../lib/http3/index.js';
import { generateTls } from '../../lib/tls.js';
import type { TransportId } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { startRest } from '../../services/rest/index.js';

/** The transport table: h2c and h3 serve the same handler; unknown or under-configured transports fail at start. */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
const base = { host: '127.0.0.1', port: 0 } as const;

test('h2c serves the same routes, streams included', async (t) => {
  const server = await startRest(core, { ...base, transport: 'h2c' });
  const session = http2.connect(server.url);
  t.teardown(async () => {
    session.destroy();
    await server.close();
  });
  const get = (path: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const stream = session.request({ ':path': path });
      let status = 0;
      let text = '';
      stream.setEncoding('utf8');
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.on('data', (chunk: string) => (text += chunk));
      stream.on('end', () => resolve({ status, text }));
      stream.on('error', reject);
      stream.end();
    });
  const post = await get('/v1/posts/p000001');
  t.is(post.status, 200);
  t.is(JSON.parse(post.text).id, 'p000001');
  const events = await get('/v1/topics/h2c/events?count=3');
  t.deepEqual(
    events.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).seq),
    ['1', '2', '3'],
  );
  t.is((await get('/v1/nowhere')).status, 404);
});

test('an unknown transport, or TLS without material, fails at start', async (t) => {
  await t.throwsAsync(startRest(core, { ...base, transport: 'h4' as TransportId }), {
    message: 'rest: expected transport h1, h1s, h2, h2c, h3, got h4',
  });
  await t.throwsAsync(startRest(core, { ...base, transport: 'h1s' }), { message: /h1s needs options\.tls/ });
  await t.throwsAsync(startRest(core, { ...base, transport: 'h3' }), { message: /h3 needs options\.tls/ });
});

test('h3 listens on the port it reports, serves, and close() frees the port', async (t) => {
  const tls = await generateTls();
  const reason = await http3Unavailable(tls);
  if (reason) {
    t.log(`skipped: h3 cannot run here: ${reason}`);
    t.pass();
    return;
  }
  const server = await startRest(core, { ...base, transport: 'h3', tls });
  const url = new URL(server.url);
  t.is(url.protocol, 'https:');
  t.is(url.hostname, '127.0.0.1');
  t.true(Number(url.port) > 0);
  const connection = await connectHttp3(server.url, { caPem: tls.caPem });
  const call = connection.request({ method: 'GET', path: '/v1/posts/p000001' });
  const res = await call.response;
  let text = '';
  for await (const chunk of res) text += chunk.toString('utf8');
  t.is(res.status, 200);
  t.is(JSON.parse(text).id, 'p000001');
  await connection.close();
  await server.close();
  // The UDP port is free again: a fresh socket can bind it.
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(Number(url.port), '127.0.0.1', () => resolve());
  });
  socket.close();
});
