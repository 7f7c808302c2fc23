import http from 'node:http';
import test from 'ava';
import WebSocket from 'ws';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { CASES, post, serve, waitFor } from './helpers.js';
import { rawWebSocket } from './raw-ws.js';

/** Timeouts, shutdown and the HTTP surface's refusals. */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
const ws = CASES.find((c) => c.protocol === 'websocket' && c.transport === 'h1')!;
const sse = CASES.find((c) => c.protocol === 'sse' && c.transport === 'h1')!;
const poll = CASES.find((c) => c.protocol === 'long-poll' && c.transport === 'h1')!;

test('websocket: a connection with no subscription and no message is closed 1000 after idleTimeoutMs', async (t) => {
  const { server } = await serve(t, ws, core, { idleTimeoutMs: 100 });
  const client = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
  const code = await new Promise<number>((resolve) => client.once('close', resolve));
  t.is(code, 1000);
  await waitFor(() => server.connections() === 0, 'connections() back to 0');
});

test('websocket: a peer that never answers pings is terminated', async (t) => {
  const { server } = await serve(t, ws, core, { heartbeatMs: 50 });
  // A raw socket answers nothing, pongs included.
  const raw = await rawWebSocket(server.url);
  t.is(await raw.closeCode, 1006, 'cut without a close frame');
  await waitFor(() => server.connections() === 0, 'connections() back to 0');
});

test('websocket: server close sends 1001 (going away) to every client', async (t) => {
  const { server } = await serve(t, ws, core);
  const clients = Array.from({ length: 3 }, () => new WebSocket(`${server.url.replace('http', 'ws')}/ws`));
  await Promise.all(clients.map((c) => new Promise((resolve) => c.once('open', resolve))));
  const codes = Promise.all(clients.map((c) => new Promise<number>((resolve) => c.once('close', resolve))));
  await server.close();
  t.deepEqual(await codes, [1001, 1001, 1001]);
});

test('websocket: a plain GET gets 426, another upgrade path 404', async (t) => {
  const { server } = await serve(t, ws, core);
  t.is((await request(`${server.url}/ws`)).status, 426);
  const other = new WebSocket(`${server.url.replace('http', 'ws')}/elsewhere`);
  const error = await new Promise<Error>((resolve) => other.once('error', resolve));
  t.regex(error.message, /404/);
});

test('sse: heartbeat comments keep an idle stream alive; server close ends the stream', async (t) => {
  const { server } = await serve(t, sse, core, { heartbeatMs: 20, retryMs: 1500 });
  const res = await open(`${server.url}/events/hb`);
  t.is(res.headers['content-type'], 'text/event-stream; charset=utf-8');
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    text += chunk;
  });
  await waitFor(() => (text.match(/: hb\n\n/g) ?? []).length >= 2, 'two heartbeats');
  t.true(text.startsWith('retry: 1500\nid: 0\n\n'), 'retry and the resume point come first');
  const ended = new Promise((resolve) => res.once('close', resolve));
  await server.close();
  await ended;
});

for (const c of [sse, poll]) {
  test(`${c.protocol}: HTTP refusals are JSON errors with the REST status mapping`, async (t) => {
    const { server } = await serve(t, c, core, { maxPayloadBytes: 64 });
    const base = server.url;
    const stream = c.protocol === 'sse' ? 'events' : 'poll';
    const cases: [string, RequestOptions, number, string][] = [
      [`/nowhere/x`, {}, 404, 'NOT_FOUND'],
      [`/${stream}/t`, { method: 'POST' }, 405, 'UNIMPLEMENTED'],
      [`/${stream}/t?after=abc`, { headers: {} }, 400, 'INVALID_ARGUMENT'],
      [`/${stream}/${'x'.repeat(201)}`, {}, 400, 'INVALID_ARGUMENT'],
      [`/publish/t`, { method: 'POST', body: '{}', type: 'text/plain' }, 415, 'UNIMPLEMENTED'],
      [`/publish/t`, { method: 'POST', body: 'nope' }, 400, 'INVALID_ARGUMENT'],
      [`/publish/t`, { method: 'POST', body: '{"post":{"id":1}}' }, 400, 'INVALID_ARGUMENT'],
      [
        `/publish/t`,
        { method: 'POST', body: JSON.stringify({ post: { body: 'x'.repeat(100) } }) },
        413,
        'RESOURCE_EXHAUSTED',
      ],
    ];
    if (c.protocol === 'sse')
      cases.push([`/events/t`, { headers: { 'last-event-id': '-1' } }, 400, 'INVALID_ARGUMENT']);
    for (const [path, options, status, code] of cases) {
      const res = await request(`${base}${path}`, options);
      t.is(res.status, status, path);
      t.is((JSON.parse(res.body) as { error: { code: string } }).error.code, code, path);
    }
    const topic = `ok-${c.protocol}`;
    const ok = await request(`${base}/publish/${topic}`, { method: 'POST', body: '{"post":{"id":"p1"}}' });
    t.is(ok.status, 200);
    t.like(JSON.parse(ok.body), { seq: '1', topic, post: { id: 'p1' } });
  });
}

test('long-poll: timeout=0 answers 204 at once with the cursor; a held poll answers the next events', async (t) => {
  const { server } = await serve(t, poll, core);
  for (let i = 1; i <= 3; i++) core.topics.publish('lp', post(i));
  const head = await request(`${server.url}/poll/lp?timeout=0`);
  t.is(head.status, 204);
  t.is(head.headers['wb-last-seq'], '3');
  const held = request(`${server.url}/poll/lp?after=3&timeout=5000`);
  await waitFor(() => server.connections() === 1, 'the poll to be held');
  core.topics.publish('lp', post(4));
  core.topics.publish('lp', post(5));
  const batch = await held;
  t.is(batch.status, 200);
  t.is(batch.headers['wb-last-seq'], '5');
  t.deepEqual(
    (JSON.parse(batch.body) as { events: { seq: string }[] }).events.map((e) => e.seq),
    ['4', '5'],
  );
  const timedOut = await request(`${server.url}/poll/lp?after=5&timeout=50`);
  t.is(timedOut.status, 204);
  t.is(server.connections(), 0);
});

test('unsupported transports, or TLS without material, fail at start with the list of transports', async (t) => {
  const base = { host: '127.0.0.1', port: 0 } as const;
  for (const transport of ['h2', 'h2c', 'h3'] as const) {
    await t.throwsAsync(ws.start(core, { ...base, transport }), {
      message: `websocket: expected transport h1, h1s, got ${transport}`,
    });
  }
  for (const c of [sse, poll]) {
    await t.throwsAsync(c.start(core, { ...base, transport: 'h4' as 'h3' }), {
      message: `${c.protocol}: expected transport h1, h1s, h2c, h2, h3, got h4`,
    });
    await t.throwsAsync(c.start(core, { ...base, transport: 'h2' }), { message: /h2 needs options\.tls/ });
    await t.throwsAsync(c.start(core, { ...base, transport: 'h3' }), { message: /h3 needs options\.tls/ });
  }
});

interface RequestOptions {
  readonly method?: string;
  readonly body?: string;
  readonly type?: string;
  readonly headers?: Record<string, string>;
}

function request(url: string, options: RequestOptions = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      const headers = {
        ...options.headers,
        ...(options.body ? { 'content-type': options.type ?? 'application/json' } : {}),
      };
      const req = http.request(url, { method: options.method ?? 'GET', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end(options.body);
    },
  );
}

function open(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => http.get(url, resolve).on('error', reject));
}
