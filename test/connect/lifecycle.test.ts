import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { FeedCore } from '../../services/core/index.js';
import { CORE_OPTIONS, collect, SpyCore, SUBJECTS } from './fixtures.js';
import { checkDrainCutoff } from './suite.js';

const M = FeedService.method;
const [connect, grpcWeb] = SUBJECTS as [(typeof SUBJECTS)[number], (typeof SUBJECTS)[number]];
/** A stream slow enough to still be running when the test acts on it. */
const PACED = { topic: 'slow', count: 1000, ratePerSecond: 100 };

async function serve(subject = connect, transport: 'h1' | 'h2c' = 'h2c', maxBodyBytes?: number) {
  const core = new SpyCore(CORE_OPTIONS);
  const server = await subject.start(core, { host: '127.0.0.1', port: 0, transport, maxBodyBytes });
  const client = subject.createClient({ url: server.url, transport, encoding: 'proto' });
  await client.connect();
  return { core, server, client };
}

for (const transport of ['h1', 'h2c'] as const) {
  test(`leaving a stream early cancels it in the core (${transport})`, async (t) => {
    const { core, server, client } = await serve(connect, transport);
    try {
      let n = 0;
      for await (const _ of client.serverStream!(M.streamFeed, PACED)) if (++n === 3) break;
      for (let i = 0; i < 100 && core.streamEnds.length === 0; i++) await sleep(10);
      t.deepEqual(core.streamEnds, [{ aborted: true }]);
    } finally {
      await client.close();
      await server.close();
    }
  });
}

test('the caller’s signal and close() both end calls with CANCELLED', async (t) => {
  const { server, client } = await serve(grpcWeb);
  try {
    const controller = new AbortController();
    const aborted = collect(client.serverStream!(M.streamFeed, PACED, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 30);
    t.like(await t.throwsAsync(aborted), { code: 'CANCELLED' });
    const inFlight = collect(client.serverStream!(M.streamFeed, PACED));
    await sleep(30);
    await client.close();
    t.like(await t.throwsAsync(inFlight), { code: 'CANCELLED' });
  } finally {
    await server.close();
  }
});

for (const subject of SUBJECTS) {
  test(`${subject.id}: messages over maxBodyBytes are RESOURCE_EXHAUSTED`, async (t) => {
    const { server, client } = await serve(subject, 'h1', 1024);
    try {
      const big = { authorId: 'u000001', title: 't', body: 'x'.repeat(4000) };
      t.like(await t.throwsAsync(client.unary(M.createPost, big)), { code: 'RESOURCE_EXHAUSTED' });
      t.is((await client.unary(M.getUser, { id: 'u000001' })).id, 'u000001');
    } finally {
      await client.close();
      await server.close();
    }
  });
}

for (const transport of ['h1', 'h2c'] as const) {
  test(`server close() frees connections a client still holds open (${transport})`, async (t) => {
    const { server, client } = await serve(connect, transport);
    try {
      await client.unary(M.getUser, { id: 'u000001' });
      const started = Date.now();
      await server.close();
      t.true(Date.now() - started < 1000, 'idle connections are not waited for');
    } finally {
      await client.close();
    }
  });
}

test('a request cut off mid-body does not disturb the server', async (t) => {
  const { server, client } = await serve(connect, 'h1');
  try {
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `POST /${FeedService.typeName}/ImportPosts HTTP/1.1\r\nHost: x\r\nContent-Type: application/connect+proto\r\nContent-Length: 100\r\n\r\n\0\0\0\0\x20abc`,
    );
    await sleep(20);
    socket.destroy();
    await sleep(20);
    t.is((await client.unary(M.getUser, { id: 'u000001' })).id, 'u000001');
  } finally {
    await client.close();
    await server.close();
  }
});

test('connect() to a closed port fails UNAVAILABLE', async (t) => {
  const server = await connect.start(new FeedCore(CORE_OPTIONS), {
    host: '127.0.0.1',
    port: 0,
    transport: 'h1',
  });
  await server.close();
  for (const transport of ['h1', 'h2c'] as const) {
    const client = connect.createClient({ url: server.url, transport, encoding: 'json' });
    t.like(await t.throwsAsync(client.connect()), { code: 'UNAVAILABLE' });
    await client.close();
  }
});

test('server close() drains for a bounded time, then ends running calls UNAVAILABLE', async (t) => {
  const { server, client } = await serve(connect, 'h2c');
  try {
    await checkDrainCutoff(t, server, client);
  } finally {
    await client.close();
  }
});
