import test, { type ExecutionContext } from 'ava';
import {
  connectHttp3,
  type Http3Connection,
  type Http3RequestInit,
  http3Unavailable,
} from '../../lib/http3/index.js';
import { generateTls } from '../../lib/tls.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { type RestServerHandle, startRest } from '../../services/rest/index.js';

/**
 * Abuse over HTTP/3 (lib/http3's own stream bridge): every malformed request
 * gets its JSON error, and the one QUIC connection goes on serving.
 */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
let skipped: string | undefined;
let server: RestServerHandle | undefined;
let connection: Http3Connection | undefined;

test.before(async () => {
  const tls = await generateTls();
  skipped = await http3Unavailable(tls);
  if (skipped) return;
  server = await startRest(core, { host: '127.0.0.1', port: 0, transport: 'h3', tls, maxBodyBytes: 1024 });
  connection = await connectHttp3(server.url, { caPem: tls.caPem });
});

test.after.always(async () => {
  await connection?.close();
  await server?.close();
});

async function send(init: Http3RequestInit): Promise<{ status: number; error?: { code: string } }> {
  const res = await connection!.request(init).response;
  let text = '';
  for await (const chunk of res) text += chunk.toString('utf8');
  return { status: res.status, ...(res.status >= 400 ? { error: JSON.parse(text).error } : {}) };
}

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

async function expectError(t: ExecutionContext, init: Http3RequestInit, status: number, code: string) {
  const got = await send(init);
  t.is(got.status, status);
  t.is(got.error?.code, code);
  t.is((await send({ method: 'GET', path: '/v1/posts/p000001' })).status, 200);
}

const json = { 'content-type': 'application/json' };

h3('bad JSON is 400', async (t) => {
  await expectError(
    t,
    { method: 'POST', path: '/v1/posts', headers: json, body: '{"title": nope' },
    400,
    'INVALID_ARGUMENT',
  );
});

h3('oversize body is 413, also while the client is still uploading', async (t) => {
  const body = 'x'.repeat(4096);
  await expectError(t, { method: 'POST', path: '/v1/posts', headers: json, body }, 413, 'RESOURCE_EXHAUSTED');
  const streamed = (async function* () {
    for (let i = 0; i < 256; i++) yield 'y'.repeat(1024);
  })();
  const init = { method: 'POST', path: '/v1/posts', headers: json, body: streamed };
  await expectError(t, init, 413, 'RESOURCE_EXHAUSTED');
});

h3('unknown route is 404, wrong verb is 405', async (t) => {
  await expectError(t, { method: 'GET', path: '/v2/everything' }, 404, 'NOT_FOUND');
  await expectError(t, { method: 'DELETE', path: '/v1/posts/p000001' }, 405, 'UNIMPLEMENTED');
});

h3('a client reset mid-upload leaves the connection serving', async (t) => {
  const headers = { 'content-type': 'application/x-ndjson' };
  const call = connection!.request({ method: 'POST', path: '/v1/posts:import', headers, writable: true });
  call.req.write('{"authorId":"u000001","title":"half"}\n{"authorId":');
  await new Promise((r) => setTimeout(r, 20));
  call.cancel();
  await t.throwsAsync(call.response);
  t.is((await send({ method: 'GET', path: '/v1/posts/p000002' })).status, 200);
});

h3('all of the above went over one QUIC connection', async (t) => {
  t.is(server!.stats().connections, 1);
  t.false(connection!.closed);
});
