import http2 from 'node:http2';
import test, { type ExecutionContext } from 'ava';
import { generateTls } from '../../lib/tls.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { type RestServerHandle, startRest } from '../../services/rest/index.js';

/**
 * Abuse over HTTP/2 with TLS: every malformed request gets a JSON error with
 * the right status on its own stream, and the one session goes on serving.
 */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
let server: RestServerHandle;
let session: http2.ClientHttp2Session;

test.before(async () => {
  const tls = await generateTls();
  server = await startRest(core, { host: '127.0.0.1', port: 0, transport: 'h2', tls, maxBodyBytes: 1024 });
  session = http2.connect(server.url, { ca: tls.caPem });
});

test.after.always(async () => {
  session?.destroy();
  await server?.close();
});

interface Reply {
  readonly status: number;
  readonly headers: http2.IncomingHttpHeaders;
  readonly error?: { code: string; message: string; httpStatus: number };
}

/** One stream on the shared session; `chunks` are written separately (a streamed body). */
function send(
  method: string,
  path: string,
  options: { headers?: http2.OutgoingHttpHeaders; body?: string; chunks?: readonly string[] } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const hasBody = options.body !== undefined || options.chunks !== undefined;
    const stream = session.request(
      { ':method': method, ':path': path, ...options.headers },
      { endStream: !hasBody },
    );
    let headers: http2.IncomingHttpHeaders = {};
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => (headers = h));
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('error', reject);
    stream.on('end', () => {
      const status = Number(headers[':status']);
      const error = status >= 400 ? (JSON.parse(text) as { error: Reply['error'] }).error : undefined;
      resolve({ status, headers, ...(error ? { error } : {}) });
    });
    if (!hasBody) return;
    // The server may answer (and stop reading) before the upload ends; later writes are then moot.
    for (const chunk of options.chunks ?? []) if (!stream.destroyed) stream.write(chunk);
    if (!stream.destroyed) stream.end(options.body);
  });
}

/** The reply is the expected JSON error, and a normal GET afterwards still succeeds. */
async function expectError(t: ExecutionContext, reply: Promise<Reply>, status: number, code: string) {
  const got = await reply;
  t.is(got.status, status);
  t.is(got.headers['content-type'], 'application/json');
  t.is(got.error?.code, code);
  t.is(got.error?.httpStatus, status);
  t.truthy(got.error?.message);
  t.is((await send('GET', '/v1/posts/p000001')).status, 200);
  return got;
}

const json = { 'content-type': 'application/json' };

test.serial('bad JSON is 400', async (t) => {
  await expectError(
    t,
    send('POST', '/v1/posts', { headers: json, body: '{"title": nope' }),
    400,
    'INVALID_ARGUMENT',
  );
});

test.serial('oversize body is 413, by content-length and by counting a streamed body', async (t) => {
  const body = 'x'.repeat(4096);
  await expectError(t, send('POST', '/v1/posts', { headers: json, body }), 413, 'RESOURCE_EXHAUSTED');
  const chunks = [body.slice(0, 1024), body.slice(1024, 2048), body.slice(2048)];
  await expectError(t, send('POST', '/v1/posts', { headers: json, chunks }), 413, 'RESOURCE_EXHAUSTED');
  // Still uploading when the 413 comes: the server discards the rest, and the session survives.
  const large = Array.from({ length: 256 }, () => 'y'.repeat(1024));
  await expectError(
    t,
    send('POST', '/v1/posts', { headers: json, chunks: large }),
    413,
    'RESOURCE_EXHAUSTED',
  );
});

test.serial('unknown route is 404, wrong verb is 405 with allow', async (t) => {
  await expectError(t, send('GET', '/v2/everything'), 404, 'NOT_FOUND');
  const got = await expectError(t, send('DELETE', '/v1/posts/p000001'), 405, 'UNIMPLEMENTED');
  t.is(got.headers.allow, 'GET, OPTIONS');
});

test.serial('a client reset mid-upload leaves the session serving', async (t) => {
  const stream = session.request(
    { ':method': 'POST', ':path': '/v1/posts:import', 'content-type': 'application/x-ndjson' },
    { endStream: false },
  );
  stream.on('error', () => {});
  stream.write('{"authorId":"u000001","title":"half"}\n{"authorId":');
  await new Promise((r) => setTimeout(r, 20));
  stream.close(http2.constants.NGHTTP2_CANCEL);
  t.is((await send('GET', '/v1/posts/p000002')).status, 200);
});

test.serial('all of the above went over one HTTP/2 session', (t) => {
  t.is(server.stats().connections, 1);
  t.false(session.destroyed);
});
