import { readFileSync } from 'node:fs';
import { createSchema } from 'graphql-yoga';
import { RESOLVERS, type ScopeContext } from './resolvers.js';

/** The SDL, the one GraphQL description of the API (drift-tested against the .proto). */
export const SDL_PATH = new URL('../../schemas/graphql/schema.graphql', import.meta.url);

let sdl: string | undefined;

/**
 * The executable schema: the SDL file read as it is, plus the resolvers. The
 * server never restates a type in code, so what the drift test checks is
 * exactly what is served. The file is read once per process.
 */
export function feedSchema() {
  sdl ??= readFileSync(SDL_PATH, 'utf8');
  return createSchema<ScopeContext>({ typeDefs: sdl, resolvers: RESOLVERS });
}
