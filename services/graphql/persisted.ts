import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { LIMITS } from '../core/index.js';
import { DOCUMENTS, digestDocument, persistedQueryId } from './documents.js';

/**
 * Every document the bench sends (one per method, plus the digest query for
 * 1..maxDigestUsers users), so a GET with `?id=` works without registering
 * anything at run time. Read-only: an unknown id is refused, never learned,
 * which keeps the server's set of executable documents fixed.
 */
export const BENCH_QUERIES: readonly string[] = [
  ...Object.values(DOCUMENTS),
  ...Array.from({ length: LIMITS.maxDigestUsers }, (_, i) => digestDocument(i + 1)),
];

/** id → query text. */
export type PersistedStore = ReadonlyMap<string, string>;

export function benchPersistedStore(): PersistedStore {
  return new Map(BENCH_QUERIES.map((q) => [persistedQueryId(q), q]));
}

interface PersistedParams {
  readonly query?: unknown;
  readonly extensions?: { readonly persistedQuery?: { readonly sha256Hash?: unknown } };
}

/**
 * Resolves a persisted id into the query before yoga checks the parameters.
 * The id comes as `GET /graphql?id=<sha256>` (or Apollo-style in
 * `extensions.persistedQuery.sha256Hash`); a request that also carries the
 * query text runs that text. Unknown id → 400 PERSISTED_QUERY_NOT_FOUND.
 */
export function usePersistedQueries(store: PersistedStore): Plugin {
  return {
    onParams({ params, request, setParams }) {
      const p = params as PersistedParams;
      if (p.query != null) return;
      const fromUrl = request.method === 'GET' ? new URL(request.url).searchParams.get('id') : null;
      const id = fromUrl ?? p.extensions?.persistedQuery?.sha256Hash;
      if (id == null) return;
      const query = typeof id === 'string' ? store.get(id) : undefined;
      if (query === undefined) {
        throw createGraphQLError(
          `persisted query ${String(id)}: expected a registered id, got an unknown one`,
          {
            extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
          },
        );
      }
      setParams({ ...params, query });
    },
  };
}
