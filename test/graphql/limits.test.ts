import test from 'ava';
import {
  createGraphqlYoga,
  DEFAULT_MAX_DEPTH,
  DOCUMENTS,
  digestDocument,
  persistedQueryId,
} from '../../services/graphql/index.js';
import { chain, gqlInit, newCore } from './helpers.js';

const core = newCore();
const yoga = createGraphqlYoga(core, { maxCost: 10_000 });
const URL_BASE = 'http://test/graphql';
const ACCEPT = { accept: 'application/graphql-response+json' };

interface Body {
  readonly data?: Record<string, unknown>;
  readonly errors?: { message: string; extensions?: { code?: string } }[];
}

async function run(query: string, variables?: unknown, server = yoga) {
  const response = await server.fetch(URL_BASE, gqlInit({ query, variables }));
  return { status: response.status, body: (await response.json()) as Body };
}

test('depth limit: the limit itself passes, one more level is refused with DEPTH_LIMIT and 400', async (t) => {
  const ok = await run(chain(DEFAULT_MAX_DEPTH));
  t.is(ok.status, 200, JSON.stringify(ok.body.errors));
  t.is(ok.body.errors, undefined);
  const deep = await run(chain(DEFAULT_MAX_DEPTH + 1));
  t.is(deep.status, 400);
  t.is(deep.body.data, undefined);
  t.is(deep.body.errors?.[0]?.extensions?.code, 'DEPTH_LIMIT');
  t.regex(deep.body.errors?.[0]?.message ?? '', /expected at most 8, got 9/);
});

test('cost limit: records multiply through list limits; literal and variable sizes', async (t) => {
  // 1 user + 50 posts + 50×100 comments = 5,051 ≤ 10,000.
  const fits = await run('{ user(id: "u000001") { posts(limit: 50) { comments(limit: 100) { id } } } }');
  t.is(fits.status, 200);
  t.is(fits.body.errors, undefined);
  // + 5,000 comment authors = 10,051 > 10,000: refused before any resolver runs.
  const own = newCore();
  const query = '{ user(id: "u000001") { posts(limit: 50) { comments(limit: 100) { author { id } } } } }';
  const over = await run(query, undefined, createGraphqlYoga(own, { maxCost: 10_000 }));
  t.is(over.status, 400);
  t.is(over.body.errors?.[0]?.extensions?.code, 'COST_LIMIT');
  t.is(own.backend.stats().total, 0);
  // A variable counts as its maximum (validation cannot see values): 2 digests of 1 + 50 + 5,000 records.
  const variables = { u0: 'u000001', u1: 'u000002', postsPerUser: 1, commentsPerPost: 1 };
  const digest = await run(digestDocument(2), variables);
  t.is(digest.body.errors?.[0]?.extensions?.code, 'COST_LIMIT');
  const one = await run(digestDocument(1), { u0: 'u000001', postsPerUser: 1, commentsPerPost: 1 });
  t.is(one.status, 200);
});

test('persisted GET: a registered id runs its query, variables from the URL', async (t) => {
  const id = persistedQueryId(DOCUMENTS.getPost);
  const variables = encodeURIComponent(JSON.stringify({ id: 'p000042' }));
  const response = await yoga.fetch(`${URL_BASE}?id=${id}&variables=${variables}`, { headers: ACCEPT });
  t.is(response.status, 200);
  const body = (await response.json()) as Body;
  t.deepEqual(body.data?.post, { ...(body.data?.post as object), id: 'p000042' });
});

test('plain GET with the query text works too', async (t) => {
  const query = encodeURIComponent('{ user(id: "u000002") { handle } }');
  const response = await yoga.fetch(`${URL_BASE}?query=${query}`, { headers: ACCEPT });
  t.is(response.status, 200);
  t.truthy(((await response.json()) as Body).data?.user);
});

test('persisted GET: an unknown id is refused with PERSISTED_QUERY_NOT_FOUND and 400', async (t) => {
  const response = await yoga.fetch(`${URL_BASE}?id=${'0'.repeat(64)}`, { headers: ACCEPT });
  t.is(response.status, 400);
  const body = (await response.json()) as Body;
  t.is(body.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_FOUND');
});

test('GET with variables that are not JSON is a 400, not a 500', async (t) => {
  const response = await yoga.fetch(`${URL_BASE}?query=%7B__typename%7D&variables=nope`, { headers: ACCEPT });
  t.is(response.status, 400);
  t.is(((await response.json()) as Body).errors?.[0]?.extensions?.code, 'BAD_REQUEST');
});

test('mutations are refused over GET (405), even by persisted id', async (t) => {
  const id = persistedQueryId(DOCUMENTS.createPost);
  const response = await yoga.fetch(`${URL_BASE}?id=${id}`, { headers: ACCEPT });
  t.is(response.status, 405);
});
