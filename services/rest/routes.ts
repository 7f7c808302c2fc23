import type { DescField, DescMessage, DescMethod } from '@bufbuild/protobuf';
import { pathParams, REST_ROUTES, type RestRoute } from '../../schemas/rest-binding.js';

/** A REST route with its template compiled and its names resolved to field descriptors. */
export interface CompiledRoute {
  readonly route: RestRoute;
  readonly method: DescMethod;
  /** Matches a whole pathname; capture groups are the path parameters, in order. */
  readonly pattern: RegExp;
  /** Fields filled from path segments, in template order. */
  readonly pathFields: readonly DescField[];
  /** Fields filled from the query string, by parameter name. */
  readonly queryFields: ReadonlyMap<string, DescField>;
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly compiled: CompiledRoute; readonly segments: readonly string[] }
  | { readonly kind: 'wrong-verb'; readonly allow: readonly string[] }
  | { readonly kind: 'none' };

/**
 * Compiles the binding table once. Every name in a template or query list
 * must be a field of the request message, and of a kind a URL can carry;
 * a mistake in the table fails here, at start, not at the first request.
 */
export function compileRoutes(routes: readonly RestRoute[] = REST_ROUTES): CompiledRoute[] {
  return routes.map((route) => {
    const input = route.method.input;
    const pathFields = pathParams(route.path).map((name) => {
      const field = urlField(input, name, route);
      if (field.fieldKind !== 'scalar') {
        throw new Error(`rest route ${route.path}: expected {${name}} to be a singular scalar, got ${field}`);
      }
      return field;
    });
    const queryFields = new Map(route.query.map((name) => [name, urlField(input, name, route)]));
    return { route, method: route.method, pattern: templatePattern(route.path), pathFields, queryFields };
  });
}

/** Finds the route for a pathname and verb, telling "no such path" (404) from "wrong verb" (405). */
export function matchRoute(table: readonly CompiledRoute[], pathname: string, verb: string): RouteMatch {
  const allow: string[] = [];
  for (const compiled of table) {
    const match = compiled.pattern.exec(pathname);
    if (!match) continue;
    if (compiled.route.verb === verb) return { kind: 'found', compiled, segments: match.slice(1) };
    allow.push(compiled.route.verb);
  }
  return allow.length > 0 ? { kind: 'wrong-verb', allow } : { kind: 'none' };
}

/** The compiled route of a method, for clients that build URLs from the same table. */
export function routeOf(table: readonly CompiledRoute[], method: DescMethod): CompiledRoute {
  const found = table.find((c) => c.method === method);
  if (!found)
    throw new Error(`rest: expected a route for ${method.parent.typeName}.${method.name}, got none`);
  return found;
}

/** A request field addressed by a URL name: the JSON (camelCase) name, or the proto name. */
function urlField(message: DescMessage, name: string, route: RestRoute): DescField {
  const field = message.fields.find((f) => f.jsonName === name || f.localName === name || f.name === name);
  if (!field) {
    throw new Error(
      `rest route ${route.path}: expected ${name} to be a field of ${message.typeName}, got none`,
    );
  }
  const urlSafe =
    field.fieldKind === 'scalar' ||
    field.fieldKind === 'enum' ||
    (field.fieldKind === 'list' && field.listKind !== 'message');
  if (!urlSafe) {
    throw new Error(`rest route ${route.path}: expected ${name} to be a scalar or enum, got ${field}`);
  }
  return field;
}

/** `/v1/posts/{postId}/comments` → `^/v1/posts/([^/]+)/comments$`, literal parts escaped. */
function templatePattern(template: string): RegExp {
  const source = template
    .split(/\{\w+\}/)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('([^/]+)');
  return new RegExp(`^${source}$`);
}
