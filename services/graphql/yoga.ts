import { GraphQLError } from 'graphql';
import {
  createGraphQLError,
  createYoga,
  isAsyncIterable,
  type Plugin,
  type YogaServerInstance,
  maskError as yogaMaskError,
} from 'graphql-yoga';
import { CoreError, type FeedCore } from '../core/index.js';
import { DEFAULT_MAX_BODY_BYTES } from '../types.js';
import { DATALOADER_HEADER, GRAPHQL_PATH } from './documents.js';
import { costLimitRule, DEFAULT_MAX_COST, DEFAULT_MAX_DEPTH, depthLimitRule } from './limits.js';
import { benchPersistedStore, type PersistedStore, usePersistedQueries } from './persisted.js';
import { RequestScope } from './request-scope.js';
import type { GraphqlContext, ScopeContext } from './resolvers.js';
import { feedSchema } from './schema.js';

/** GraphQL-specific server settings (beside the shared StartOptions). */
export interface GraphqlServerOptions {
  /** DataLoader batching for requests that do not say (header `x-wb-dataloader: on|off`); default on. */
  readonly dataloader?: boolean;
  readonly maxDepth?: number;
  /** Most records (users, posts, comments) one operation may return; see limits.ts. */
  readonly maxCost?: number;
  /** Request bodies above this are refused with 413 (yoga's own limit). */
  readonly maxBodyBytes?: number;
  /** Queries a GET may name by id; default: the bench's documents. */
  readonly persisted?: PersistedStore;
}

export type GraphqlYoga = YogaServerInstance<object, ScopeContext>;

/**
 * The whole GraphQL server as a fetch handler: tests call `yoga.fetch(url,
 * init)` with no socket, and server.ts puts the same instance on
 * node:http/https/http2. Everything protocol-level is configured here:
 * limits, persisted queries, error mapping, the per-request scope and the
 * `extensions.backendCalls` figure.
 */
export function createGraphqlYoga(core: FeedCore, options: GraphqlServerOptions = {}): GraphqlYoga {
  const dataloaderDefault = options.dataloader ?? true;
  return createYoga<object, ScopeContext>({
    schema: feedSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    // A benchmark target: no IDE page, no CORS preflight handling, no logging on the hot path.
    graphiql: false,
    landingPage: false,
    cors: false,
    logging: false,
    maxRequestBodySize: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    context: ({ request }) => ({
      scope: new RequestScope(
        core,
        dataloaderWanted(request.headers.get(DATALOADER_HEADER), dataloaderDefault),
      ),
    }),
    maskedErrors: { maskError },
    plugins: [
      usePersistedQueries(options.persisted ?? benchPersistedStore()),
      useLimits(options.maxDepth ?? DEFAULT_MAX_DEPTH, options.maxCost ?? DEFAULT_MAX_COST),
      useBackendCalls(),
      useRequestErrors(),
    ],
  });
}

/** `on` / `off` decide; anything else (or no header) leaves the server default. */
function dataloaderWanted(header: string | null, fallback: boolean): boolean {
  if (header === 'off') return false;
  if (header === 'on') return true;
  return fallback;
}

function useLimits(maxDepth: number, maxCost: number): Plugin {
  const rules = [depthLimitRule(maxDepth), costLimitRule(maxCost)];
  return {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
}

/**
 * Request-level refusals yoga leaves unshaped. A POST no parser accepts
 * (wrong or missing content type) gets yoga's 415 but with a GraphQL error
 * body instead of an empty one; a GET whose `variables`/`extensions` are not
 * JSON gets 400 instead of yoga's 500 (its GET parser lets the SyntaxError
 * escape). Runs after yoga's parsers have had their chance.
 */
function useRequestErrors(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (!requestParser) {
        if (request.method !== 'POST') return;
        const type = request.headers.get('content-type') ?? 'none';
        throw createGraphQLError(`content-type: expected application/json, got ${type}`, {
          extensions: { code: 'UNSUPPORTED_MEDIA_TYPE', http: { status: 415 } },
        });
      }
      if (request.method !== 'GET') return;
      setRequestParser(async (req) => {
        try {
          return await requestParser(req);
        } catch (error) {
          if (error instanceof GraphQLError) throw error;
          const message = `query string: expected JSON in variables and extensions, got ${(error as Error).message}`;
          throw createGraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
        }
      });
    },
  };
}

/** Adds `extensions.backendCalls` (this request's calls, from its scope) to every single result. */
function useBackendCalls(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          if (isAsyncIterable(result)) return;
          const { scope } = args.contextValue as GraphqlContext;
          setResult({ ...result, extensions: { ...result.extensions, backendCalls: scope.backendCalls() } });
        },
      };
    },
  };
}

/**
 * CoreError → a GraphQL error whose `extensions.code` is the core's code and
 * whose message is the core's (they say what was expected and what arrived);
 * anything else gets yoga's default masking (no internals leak).
 */
function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const cause = error instanceof GraphQLError ? error.originalError : error;
  if (!(cause instanceof CoreError)) return yogaMaskError(error, message, isDev);
  const located = error instanceof GraphQLError ? error : undefined;
  return createGraphQLError(cause.message, {
    ...(located?.nodes ? { nodes: located.nodes } : {}),
    ...(located?.path ? { path: located.path } : {}),
    extensions: { code: cause.code },
  });
}
