import test, { type ExecutionContext } from 'ava';
import {
  connectHttp3,
  type Http3Connection,
  type Http3RequestInit,
  http3Unavailable,
} from '../../lib/http3/index.js';
import { generateTls } from '../../lib/tls.js';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { DEFAULT_MAX_DEPTH, DOCUMENTS, persistedQueryId } from '../../services/graphql/index.js';
import { CHECKS, compare } from '../conformance/operation-suite.js';
import { chain, Fixture, feedSubscription, newCore, newSpy } from './helpers.js';

/**
 * GraphQL over HTTP/3 (yoga served by lib/http3): persisted GETs, limit
 * refusals and oversize bodies on one QUIC connection that keeps serving,
 * the `feed` subscription as SSE, cancellation and a draining close().
 */
const m = FeedService.method;
const MAX_BODY = 2048;
const tls = await generateTls();
const skipped = await http3Unavailable(tls);
const fixture = new Fixture();
const connections: Http3Connection[] = [];
test.after.always(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await fixture.close();
});

/** Runs `body` unless h3 cannot run here (then passes, with the reason logged). */
function h3(title: string, body: (t: ExecutionContext) => Promise<void>): void {
  test.serial(title, async (t) => {
    if (skipped) {
      t.log(`skipped: h3 cannot run here: ${skipped}`);
      t.pass();
      return;
    }
    await body(t);
  });
}

async function rawConnection(url: string): Promise<Http3Connection> {
  const connection = await connectHttp3(url, { caPem: tls.caPem });
  connections.push(connection);
  return connection;
}

interface Answer {
  readonly status: number;
  readonly body: {
    data?: Record<string, unknown>;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

async function send(connection: Http3Connection, init: Http3RequestInit): Promise<Answer> {
  const res = await connection.request(init).response;
  let text = '';
  for await (const chunk of res) text += chunk.toString('utf8');
  return { status: res.status, body: JSON.parse(text) as Answer['body'] };
}

const SPEC = { accept: 'application/graphql-response+json' };
const JSON_POST = { ...SPEC, 'content-type': 'application/json' };
const post = (query: string, variables?: unknown): Http3RequestInit => ({
  method: 'POST',
  path: '/graphql',
  headers: JSON_POST,
  body: JSON.stringify({ query, variables }),
});
const GOOD = post('{ user(id: "u000001") { id } }');

h3('persisted-query GET over h3: a bodiless GET by id, the same answer as the POST', async (t) => {
  const server = await fixture.server(newCore(), 'h3', { tls });
  const connection = await rawConnection(server.url);
  const id = persistedQueryId(DOCUMENTS.getPost);
  const variables = encodeURIComponent(JSON.stringify({ id: 'p000042' }));
  const get = await send(connection, {
    method: 'GET',
    path: `/graphql?id=${id}&variables=${variables}`,
    headers: SPEC,
  });
  t.is(get.status, 200, JSON.stringify(get.body.errors));
  t.deepEqual(get.body.data?.post, { ...(get.body.data?.post as object), id: 'p000042' });
  const byPost = await send(connection, post(DOCUMENTS.getPost, { id: 'p000042' }));
  t.deepEqual(get.body.data, byPost.body.data);
  const unknown = await send(connection, { method: 'GET', path: '/graphql?id=0000', headers: SPEC });
  t.is(unknown.status, 400);
  t.is(unknown.body.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_FOUND');
});

h3('persisted-GET client over h3 passes the operation suite', async (t) => {
  const server = await fixture.server(newCore(), 'h3', { tls });
  const client = await fixture.client(server, tls, { get: true });
  const oracle = newCore();
  for (const check of CHECKS.filter((c) => c.kind !== 'bidi_streaming')) {
    const { got, want, schema } = await check.run(client, oracle);
    t.is(compare(schema, got, want), undefined, `h3 GET ${check.name}`);
  }
});

h3(
  'a too-deep query is refused with DEPTH_LIMIT, then the same QUIC connection serves a query',
  async (t) => {
    const server = await fixture.server(newCore(), 'h3', { tls });
    const connection = await rawConnection(server.url);
    const deep = await send(connection, post(chain(DEFAULT_MAX_DEPTH + 1)));
    t.is(deep.status, 400);
    t.is(deep.body.errors?.[0]?.extensions?.code, 'DEPTH_LIMIT');
    t.regex(deep.body.errors?.[0]?.message ?? '', /expected at most 8, got 9/);
    const good = await send(connection, GOOD);
    t.is(good.status, 200);
    t.deepEqual(good.body.data, { user: { id: 'u000001' } });
    t.false(connection.closed);
  },
);

h3(
  'an oversize body is 413 REQUEST_ENTITY_TOO_LARGE (declared or streamed), the connection keeps serving',
  async (t) => {
    const server = await fixture.server(newCore(), 'h3', { tls, maxBodyBytes: MAX_BODY });
    const connection = await rawConnection(server.url);
    const padded = JSON.stringify({ query: `{ __typename }${' '.repeat(MAX_BODY)}` });
    const declared: Http3RequestInit = {
      method: 'POST',
      path: '/graphql',
      headers: { ...JSON_POST, 'content-length': Buffer.byteLength(padded) },
      body: padded,
    };
    // 256 KiB in 1 KiB writes, no content-length: the server answers while the client is still uploading.
    const streamed: Http3RequestInit = {
      method: 'POST',
      path: '/graphql',
      headers: JSON_POST,
      body: (async function* () {
        yield '{"query":"';
        for (let i = 0; i < 256; i++) yield 'x'.repeat(1024);
        yield '"}';
      })(),
    };
    for (const [name, init] of [
      ['declared', declared],
      ['streamed', streamed],
    ] as const) {
      const refused = await send(connection, init);
      t.is(refused.status, 413, name);
      t.is(refused.body.errors?.[0]?.extensions?.code, 'REQUEST_ENTITY_TOO_LARGE', name);
      const good = await send(connection, GOOD);
      t.is(good.status, 200, `after ${name}`);
    }
    // Exactly at the limit is accepted.
    const query = '{ __typename }';
    const fits = JSON.stringify({ query: query.padEnd(MAX_BODY - '{"query":""}'.length, ' ') });
    t.is(Buffer.byteLength(fits), MAX_BODY);
    t.is((await send(connection, { ...post(''), body: fits })).status, 200);
    t.false(connection.closed);
  },
);

h3(
  'feed subscription over h3 delivers count events in order, then completes; wire counters grow',
  async (t) => {
    const server = await fixture.server(newSpy(), 'h3', { tls });
    const client = await fixture.client(server, tls);
    const before = client.wireCounters?.();
    t.truthy(before, 'an h3 client exposes wireCounters()');
    const { seqs, topics, firstByte } = await feedSubscription(client, 200);
    t.deepEqual(topics, ['news']);
    t.deepEqual(
      seqs,
      Array.from({ length: 200 }, (_, i) => BigInt(i + 1)),
    );
    t.truthy(firstByte);
    const after = client.wireCounters?.();
    t.true(
      (after?.bytesReceived ?? 0) > (before?.bytesReceived ?? 0) + 200 * 20,
      'every event crossed the wire',
    );
    t.true((after?.bytesSent ?? 0) > (before?.bytesSent ?? 0));
  },
);

h3('stopping a subscription early resets the h3 stream and ends the core generator', async (t) => {
  const core = newSpy();
  const server = await fixture.server(core, 'h3', { tls });
  const client = await fixture.client(server, tls);
  let n = 0;
  for await (const _ of client.serverStream!(m.streamFeed, { topic: 't', count: 1000, ratePerSecond: 200 })) {
    if (++n === 3) break;
  }
  for (let i = 0; i < 100 && core.ends.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(core.ends, [{ aborted: true }]);
  t.is((await client.unary(m.getUser, { id: 'u000001' })).id, 'u000001', 'the connection still serves');
});

h3('an aborted call fails with CANCELLED and the connection goes on', async (t) => {
  const server = await fixture.server(newSpy(), 'h3', { tls });
  const client = await fixture.client(server, tls);
  const abort = new AbortController();
  const stream = client.serverStream!(
    m.streamFeed,
    { topic: 't', count: 100, ratePerSecond: 50 },
    { signal: abort.signal },
  );
  const error = await t.throwsAsync(async () => {
    let n = 0;
    for await (const _ of stream) if (++n === 2) abort.abort();
  });
  t.is((error as { code?: string }).code, 'CANCELLED');
  const early = new AbortController();
  early.abort();
  const refused = await t.throwsAsync(client.unary(m.getUser, { id: 'u000001' }, { signal: early.signal }));
  t.is((refused as { code?: string }).code, 'CANCELLED');
  t.is((await client.unary(m.getUser, { id: 'u000002' })).id, 'u000002');
});

h3('close() drains: a subscription in flight receives every event before the server goes', async (t) => {
  const server = await fixture.server(newSpy(), 'h3', { tls });
  const client = await fixture.client(server, tls);
  const seqs: number[] = [];
  let closing: Promise<void> | undefined;
  for await (const event of client.serverStream!(m.streamFeed, {
    topic: 't',
    count: 10,
    ratePerSecond: 50,
  })) {
    seqs.push(Number(event.seq));
    closing ??= server.close();
  }
  t.truthy(closing, 'close() began while the subscription was open');
  await closing;
  t.deepEqual(seqs, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});
