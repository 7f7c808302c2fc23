import { setTimeout as sleep } from 'node:timers/promises';
import { create, toBinary } from '@bufbuild/protobuf';
import type { ProtocolClient } from '../../clients/types.js';
import {
  connectHttp3,
  type Http3Connection,
  ReconnectingHttp3,
  type WireCounters,
} from '../../lib/http3/index.js';
import {
  ChatMessageSchema,
  FeedService,
  GetUserRequestSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { RpcServerHandle } from '../../services/connect-common/index.js';
import { CORE_OPTIONS, collect, envelope, SpyCore, SUBJECTS, type Subject } from './fixtures.js';
import { h3Harness, lockstep, rawH3Post } from './h3-fixtures.js';
import { checkDrainCutoff } from './suite.js';

/**
 * Connect and gRPC-Web over HTTP/3 (connect-es universal handlers on
 * lib/http3 streams, the client on lib/http3's universal client): what the
 * shared matrix does not show — full duplex, cancel and abuse on the QUIC
 * connection, reuse under concurrency, wire counters, and shutdown.
 */
const M = FeedService.method;
const P = `/${FeedService.typeName}/`;
const PACED = { topic: 'slow', count: 1000, ratePerSecond: 100 };
const { tls, h3, track } = await h3Harness();

interface Served {
  readonly core: SpyCore;
  readonly server: RpcServerHandle;
  readonly client: ProtocolClient & { wireCounters?(): WireCounters };
}

async function serve(subject: Subject, maxBodyBytes?: number): Promise<Served> {
  const core = new SpyCore(CORE_OPTIONS);
  const options = { host: '127.0.0.1', port: 0, transport: 'h3', tls, maxBodyBytes } as const;
  const server = track(await subject.start(core, options));
  const url = server.url;
  const client = track(subject.createClient({ url, transport: 'h3', encoding: 'proto', caPem: tls.caPem }));
  await client.connect();
  return { core, server, client };
}

for (const subject of SUBJECTS) {
  h3(`${subject.id}: bidi over h3 is full duplex (each message waits for the previous echo)`, async (t) => {
    const { client } = await serve(subject);
    const chat = [1n, 2n, 3n, 4n].map((seq) =>
      create(ChatMessageSchema, { room: 'r', senderId: 'u000001', seq, text: `m${seq}` }),
    );
    const echoed: bigint[] = [];
    const waiters: (() => void)[] = [];
    const ready = (i: number): Promise<void> =>
      i === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    for await (const message of client.bidiStream!(M.chat, lockstep(chat, ready))) {
      echoed.push(message.seq);
      waiters.shift()?.();
    }
    t.deepEqual(echoed, [1n, 2n, 3n, 4n]);
  });

  h3(`${subject.id}: leaving a stream early resets it, and the core sees the cancel`, async (t) => {
    const { core, client } = await serve(subject);
    let n = 0;
    for await (const _ of client.serverStream!(M.streamFeed, PACED)) if (++n === 3) break;
    for (let i = 0; i < 100 && core.streamEnds.length === 0; i++) await sleep(10);
    t.deepEqual(core.streamEnds, [{ aborted: true }]);
    t.is((await client.unary(M.getUser, { id: 'u000001' })).id, 'u000001', 'the connection still serves');
  });

  h3(`${subject.id}: 200 concurrent calls share one QUIC connection; wire counters grow`, async (t) => {
    const { server, client } = await serve(subject);
    const before = client.wireCounters!();
    const users = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.unary(M.getUser, { id: `u00000${1 + (i % 9)}` })),
    );
    t.is(users.length, 200);
    const after = client.wireCounters!();
    t.is(server.stats().connections, 1);
    t.is(server.stats().requests, 201, 'the preconnect plus 200 calls');
    t.true(after.bytesSent > before.bytesSent && after.bytesReceived > before.bytesReceived);
  });

  h3(`${subject.id}: messages over maxBodyBytes are RESOURCE_EXHAUSTED, then it serves on`, async (t) => {
    const { server, client } = await serve(subject, 1024);
    const big = { authorId: 'u000001', title: 't', body: 'x'.repeat(4000) };
    t.like(await t.throwsAsync(client.unary(M.createPost, big)), { code: 'RESOURCE_EXHAUSTED' });
    t.is((await client.unary(M.getUser, { id: 'u000001' })).id, 'u000001');
    t.is(server.stats().connections, 1);
  });

  h3(`${subject.id}: client close() while a stream is open settles, the call ends CANCELLED`, async (t) => {
    const { client } = await serve(subject);
    const running = collect(client.serverStream!(M.streamFeed, PACED));
    await sleep(50);
    await client.close();
    t.like(await t.throwsAsync(running), { code: 'CANCELLED' });
  });
}

h3('connect: a truncated envelope is invalid_argument, and the same QUIC connection serves on', async (t) => {
  const { server } = await serve(SUBJECTS[0]!);
  const raw: Http3Connection = track(await connectHttp3(server.url, { caPem: tls.caPem }));
  const res = await rawH3Post(
    raw,
    `${P}StreamFeed`,
    { 'content-type': 'application/connect+proto' },
    envelope(0, 10, Buffer.from([1, 2])),
  );
  t.is(res.status, 200, 'Connect streams carry errors in the end-stream frame');
  t.is(res.body[0], 0x02, 'an end-stream frame');
  const end = JSON.parse(res.body.subarray(5).toString('utf8'));
  t.like(end.error, { code: 'invalid_argument', message: 'protocol error: incomplete envelope' });
  const user = toBinary(GetUserRequestSchema, create(GetUserRequestSchema, { id: 'u000001' }));
  const ok = await rawH3Post(raw, `${P}GetUser`, { 'content-type': 'application/proto' }, user);
  t.is(ok.status, 200);
  t.false(raw.closed);
  t.is(server.stats().connections, 2, "the client's and the raw one");
});

h3('grpc-web over h3 carries its status in the body, not in HTTP trailers', async (t) => {
  const { server } = await serve(SUBJECTS[1]!);
  const raw = track(await connectHttp3(server.url, { caPem: tls.caPem }));
  const res = await rawH3Post(
    raw,
    `${P}GetUser`,
    { 'content-type': 'application/grpc-web+proto' },
    envelope(0, 10, Buffer.from([1, 2])),
  );
  t.is(res.status, 200);
  t.is(res.trailers, undefined);
  const frame = res.body.subarray(res.body.lastIndexOf(0x80));
  t.regex(frame.subarray(5).toString('latin1'), /grpc-status: 3\r\n/);
});

h3('server close() drains, then cuts a running stream with UNAVAILABLE', async (t) => {
  const { server, client } = await serve(SUBJECTS[0]!);
  await checkDrainCutoff(t, server, client);
});

h3('a 4 MB client stream arrives whole (the request body is pulled with backpressure)', async (t) => {
  const { server, client } = await serve(SUBJECTS[0]!);
  async function* posts() {
    for (let i = 0; i < 400; i++) yield { authorId: 'u000001', title: `bulk ${i}`, body: 'x'.repeat(10_000) };
  }
  const imported = await client.clientStream!(M.importPosts, posts());
  t.is(imported.imported, 400);
  t.is(new Set(imported.ids).size, 400);
  t.is(server.stats().connections, 1);
});

h3('a lost QUIC connection is reopened by the next call; wire counters never go back', async (t) => {
  const { server } = await serve(SUBJECTS[0]!);
  const quic = track(new ReconnectingHttp3(server.url, { caPem: tls.caPem }));
  const first = await quic.connection();
  const probe = await first.request({ method: 'OPTIONS', path: '/' }).response;
  t.is(probe.status, 204);
  for await (const _ of probe) {
    // Drained: the exchange is complete before the connection goes.
  }
  const before = quic.wireCounters();
  await first.close();
  const second = await quic.connection();
  t.not(second, first);
  t.false(second.closed);
  const after = quic.wireCounters();
  t.true(after.bytesSent > before.bytesSent, 'the new handshake adds to the closed connection’s bytes');
  t.true(after.bytesReceived >= before.bytesReceived);
  // The client can finish its handshake before the server has counted the connection: wait for it.
  for (let i = 0; i < 100 && server.stats().connections < 3; i++) await sleep(10);
  t.is(server.stats().connections, 3, "the client's, then two from this test");
});
