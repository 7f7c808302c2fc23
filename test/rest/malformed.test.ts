import http from 'node:http';
import net from 'node:net';
import test from 'ava';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { type RestServerHandle, startRest } from '../../services/rest/index.js';

/**
 * Abuse over a real socket: every malformed request gets a JSON error with
 * the right status, and the same keep-alive connection goes on serving.
 */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let server: RestServerHandle;

test.before(async () => {
  server = await startRest(core, { host: '127.0.0.1', port: 0, transport: 'h1', maxBodyBytes: 1024 });
});

test.after.always(async () => {
  agent.destroy();
  await server?.close();
});

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly error?: { code: string; message: string; httpStatus: number };
}

/** One request on the shared one-socket pool; `chunks` are written separately (chunked encoding). */
function send(
  method: string,
  path: string,
  options: { headers?: http.OutgoingHttpHeaders; body?: string; chunks?: readonly string[] } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    const req = http.request(
      { host: '127.0.0.1', port, method, path, headers: options.headers, agent },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const error = status >= 400 ? (JSON.parse(text) as { error: Reply['error'] }).error : undefined;
          resolve({ status, headers: res.headers, ...(error ? { error } : {}) });
        });
      },
    );
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end(options.body);
  });
}

/** The reply is the expected JSON error, and a normal GET afterwards still succeeds. */
async function expectError(
  t: import('ava').ExecutionContext,
  reply: Promise<Reply>,
  status: number,
  code: string,
) {
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

test.serial('unknown id is 404', async (t) => {
  const got = await expectError(t, send('GET', '/v1/users/u999999'), 404, 'NOT_FOUND');
  t.regex(got.error?.message ?? '', /expected an existing user id, got none/);
});

test.serial('oversize body is 413, by Content-Length and by counting a chunked body', async (t) => {
  const body = 'x'.repeat(4096);
  await expectError(t, send('POST', '/v1/posts', { headers: json, body }), 413, 'RESOURCE_EXHAUSTED');
  const chunks = [body.slice(0, 1024), body.slice(1024, 2048), body.slice(2048)];
  await expectError(t, send('POST', '/v1/posts', { headers: json, chunks }), 413, 'RESOURCE_EXHAUSTED');
  // Still uploading when the 413 comes: the server drains the rest and keeps the connection.
  const large = Array.from({ length: 256 }, () => 'y'.repeat(1024));
  await expectError(
    t,
    send('POST', '/v1/posts', { headers: json, chunks: large }),
    413,
    'RESOURCE_EXHAUSTED',
  );
});

test.serial('wrong content-type is 415', async (t) => {
  const headers = { 'content-type': 'text/plain' };
  await expectError(t, send('POST', '/v1/posts', { headers, body: '{}' }), 415, 'UNIMPLEMENTED');
  const ndjsonAsJson = send('POST', '/v1/posts:import', { headers: json, body: '{}\n' });
  await expectError(t, ndjsonAsJson, 415, 'UNIMPLEMENTED');
});

test.serial('bad int query param is 400', async (t) => {
  const got = await expectError(t, send('GET', '/v1/posts?limit=12abc'), 400, 'INVALID_ARGUMENT');
  t.regex(got.error?.message ?? '', /limit: expected an int32, got "12abc"/);
});

test.serial('unknown route is 404, wrong verb is 405 with Allow', async (t) => {
  await expectError(t, send('GET', '/v2/everything'), 404, 'NOT_FOUND');
  const got = await expectError(t, send('DELETE', '/v1/posts/p000001'), 405, 'UNIMPLEMENTED');
  t.is(got.headers.allow, 'GET, OPTIONS');
});

test.serial('a bad NDJSON line in an import is 400 naming the line', async (t) => {
  const headers = { 'content-type': 'application/x-ndjson' };
  const chunks = ['{"authorId":"u000001","title":"fine"}\n', '{"authorId":"u000001",', '"nope":1}\n', '{}\n'];
  const got = await expectError(
    t,
    send('POST', '/v1/posts:import', { headers, chunks }),
    400,
    'INVALID_ARGUMENT',
  );
  t.regex(got.error?.message ?? '', /^line 2: .*nope/);
});

test.serial('all of the above went over one keep-alive connection', (t) => {
  t.is(server.stats().connections, 1);
});

test.serial('garbage bytes on a raw socket get 400 or a close, and the server keeps serving', async (t) => {
  const { port } = new URL(server.url);
  const answer = await new Promise<string>((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => resolve(text));
    socket.on('close', () => resolve(text));
  });
  t.true(answer === '' || answer.startsWith('HTTP/1.1 400'), answer);
  t.is((await send('GET', '/v1/posts/p000001')).status, 200);
});
