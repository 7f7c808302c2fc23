import http from 'node:http';
import http2 from 'node:http2';
import test from 'ava';
import type { ServerHandle } from '../../services/types.js';
import { Fixture, newCore } from './helpers.js';

const MAX_BODY = 2048;
const fixture = new Fixture();
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const sessions: http2.ClientHttp2Session[] = [];
test.after.always(async () => {
  agent.destroy();
  for (const s of sessions) s.destroy();
  await fixture.close();
});

interface Answer {
  readonly status: number;
  readonly body: string;
  /** HTTP/1.1 only: whether the request went out on an already used socket. */
  readonly reused?: boolean;
}
interface Raw {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Send the body chunked (no content-length), in two writes. */
  readonly chunked?: boolean;
}
type Send = (raw: Raw) => Promise<Answer>;

const GOOD = JSON.stringify({ query: '{ user(id: "u000001") { id } }' });
const SPEC = { accept: 'application/graphql-response+json' };
const JSON_POST = { ...SPEC, 'content-type': 'application/json' };

function h1(server: ServerHandle): Send {
  const url = new URL(server.url);
  return (raw) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...raw.headers };
      if (raw.body !== undefined && !raw.chunked) headers['content-length'] = Buffer.byteLength(raw.body);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: '/graphql',
          method: raw.method ?? 'POST',
          headers,
          agent,
        },
        async (res) => {
          const parts: Buffer[] = [];
          for await (const chunk of res) parts.push(chunk as Buffer);
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(parts).toString(),
            reused: req.reusedSocket,
          });
        },
      );
      req.on('error', reject);
      if (raw.chunked && raw.body !== undefined) {
        const half = Math.floor(raw.body.length / 2);
        req.write(raw.body.slice(0, half));
        req.end(raw.body.slice(half));
      } else req.end(raw.body);
    });
}

function h2c(server: ServerHandle): Send {
  const session = http2.connect(server.url);
  sessions.push(session);
  return (raw) =>
    new Promise((resolve, reject) => {
      const stream = session.request({
        ':method': raw.method ?? 'POST',
        ':path': '/graphql',
        ...raw.headers,
      });
      let status = 0;
      const parts: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[':status']);
      });
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => resolve({ status, body: Buffer.concat(parts).toString() }));
      stream.on('error', reject);
      stream.end(raw.body);
    });
}

/** Each malformed request, the status and GraphQL error code it must get. */
const CASES: { name: string; raw: Raw; status: number; code: string }[] = [
  {
    name: 'syntax error',
    raw: { headers: JSON_POST, body: '{"query":"{ user(id: \\"u1\\") { id "}' },
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  { name: 'bad JSON', raw: { headers: JSON_POST, body: '{"query": ' }, status: 400, code: 'BAD_REQUEST' },
  {
    name: 'unknown field',
    raw: { headers: JSON_POST, body: JSON.stringify({ query: '{ user(id: "u1") { nope } }' }) },
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'wrong content type',
    raw: { headers: { ...SPEC, 'content-type': 'text/plain' }, body: GOOD },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'oversize body (content-length)',
    raw: { headers: JSON_POST, body: JSON.stringify({ query: `{ __typename }${' '.repeat(MAX_BODY)}` }) },
    status: 413,
    code: 'REQUEST_ENTITY_TOO_LARGE',
  },
  {
    name: 'oversize body (chunked)',
    raw: { headers: JSON_POST, body: `{"query":"${'x'.repeat(4 * MAX_BODY)}"}`, chunked: true },
    status: 413,
    code: 'REQUEST_ENTITY_TOO_LARGE',
  },
  { name: 'PUT', raw: { method: 'PUT', headers: JSON_POST, body: GOOD }, status: 405, code: 'BAD_REQUEST' },
];

for (const [transport, connect] of [
  ['h1', h1],
  ['h2c', h2c],
] as const) {
  test.serial(
    `malformed requests over ${transport}: 4xx with a GraphQL error, then a good query works`,
    async (t) => {
      const server = await fixture.server(newCore(), transport, { maxBodyBytes: MAX_BODY });
      const send = connect(server);
      for (const c of CASES) {
        const bad = await send(c.raw);
        t.is(bad.status, c.status, `${c.name}: ${bad.body}`);
        const body = JSON.parse(bad.body) as { errors: { extensions: { code: string } }[] };
        t.is(body.errors[0]?.extensions.code, c.code, c.name);
        const good = await send({ headers: JSON_POST, body: GOOD });
        t.is(good.status, 200, `after ${c.name}: ${good.body}`);
        t.deepEqual(JSON.parse(good.body).data, { user: { id: 'u000001' } });
        // HTTP/1.1: the refusal left the keep-alive connection usable (one socket in the pool throughout).
        if (transport === 'h1') t.true(good.reused, `after ${c.name}: the connection was reused`);
      }
    },
  );
}

test.serial(
  'legacy Accept: application/json gets 200 for a syntax error (GraphQL-over-HTTP rule, yoga default)',
  async (t) => {
    const server = await fixture.server(newCore(), 'h1');
    const answer = await h1(server)({
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{"query":"{ user"}',
    });
    t.is(answer.status, 200);
    t.regex(answer.body, /GRAPHQL_PARSE_FAILED/);
  },
);
