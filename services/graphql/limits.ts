import {
  type ASTNode,
  type FieldNode,
  type GraphQLCompositeType,
  GraphQLError,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';
import { LIMITS } from '../core/index.js';

/**
 * Query depth and cost limits as plain graphql-js validation rules.
 *
 * Why not a plugin: neither @escape.tech/graphql-armor nor an @envelop
 * depth-limit package is installed, and both limits are a short walk of the
 * document. Why validation rules: yoga caches validation per document, so a
 * rule costs nothing on repeated (e.g. persisted) queries. The price is that
 * variables are unknown at validation time, so the cost of a list sized by a
 * variable is its maximum allowed size — conservative, and still below the
 * limit for every request FeedCore itself accepts.
 */

/** Deeper than any operation the bench sends (digests are 4), deep enough for author → posts → comments → author chains. */
export const DEFAULT_MAX_DEPTH = 8;
/** Records (users, posts, comments) a query may return at most: above the largest digest FeedCore allows (505,100). */
export const DEFAULT_MAX_COST = 1_000_000;

/** Field nesting depth of each operation, fragments expanded; introspection fields are not counted. */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const depth = depthOf(context, node.selectionSet, 0, new Set());
      if (depth > maxDepth) {
        context.reportError(
          limitError('DEPTH_LIMIT', `query depth: expected at most ${maxDepth}, got ${depth}`, node),
        );
      }
    },
  });
}

function depthOf(
  context: ValidationContext,
  set: SelectionSetNode,
  depth: number,
  seen: Set<string>,
): number {
  let max = depth;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      const below = selection.selectionSet
        ? depthOf(context, selection.selectionSet, depth + 1, seen)
        : depth + 1;
      max = Math.max(max, below);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(context, selection.selectionSet, depth, seen));
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      // A fragment cycle is reported by NoFragmentCyclesRule; here it only must not recurse forever.
      if (!fragment || seen.has(name)) continue;
      seen.add(name);
      max = Math.max(max, depthOf(context, fragment.selectionSet, depth, seen));
      seen.delete(name);
    }
  }
  return max;
}

/** Where a list's size comes from: an argument of the field itself, or of an ancestor field (`from`). */
interface ListSize {
  readonly arg: string;
  readonly from?: string;
  /** Size assumed when the argument is a variable: the most FeedCore accepts. */
  readonly cap: number;
  /** Size when the argument is absent (and, for `zeroIsDefault`, when it is 0). */
  readonly absent: number;
  readonly zeroIsDefault?: boolean;
}

const DEFAULT_LIST_SIZE = LIMITS.defaultPageSize;
const page = { cap: LIMITS.maxPageSize, absent: LIMITS.defaultPageSize, zeroIsDefault: true } as const;
const LIST_SIZES: Readonly<Record<string, ListSize>> = {
  'Query.comments': { arg: 'limit', ...page },
  'PostConnection.posts': { arg: 'limit', from: 'Query.posts', ...page },
  'Query.authorDigests': { arg: 'userIds', cap: LIMITS.maxDigestUsers, absent: 0 },
  'AuthorDigest.posts': {
    arg: 'postsPerUser',
    from: 'Query.authorDigests',
    cap: LIMITS.maxPostsPerUser,
    absent: 0,
  },
  'PostWithComments.comments': {
    arg: 'commentsPerPost',
    from: 'Query.authorDigests',
    cap: LIMITS.maxCommentsPerPost,
    absent: 0,
  },
  'User.posts': { arg: 'limit', cap: LIMITS.maxPostsPerUser, absent: LIMITS.defaultPageSize },
  'Post.comments': { arg: 'limit', cap: LIMITS.maxCommentsPerPost, absent: LIMITS.defaultPageSize },
};
/** What the cost counts: records the backend stores. Embedded values (GeoPoint, Reaction) come with their record. */
const RECORD_TYPES = new Set(['User', 'Post', 'Comment']);

/**
 * Cost = the most records an operation can return: every User, Post or
 * Comment field counts once per parent instance, and list fields multiply
 * what is below them by their size (argument, ancestor argument, or cap).
 */
export function costLimitRule(maxCost: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const root = context.getSchema().getRootType(node.operation);
      if (!root) return;
      const cost = costOf(context, root, node.selectionSet, 1, [], new Set());
      if (cost > maxCost) {
        context.reportError(
          limitError('COST_LIMIT', `query cost: expected at most ${maxCost} records, got ${cost}`, node),
        );
      }
    },
  });
}

interface Walk {
  readonly coordinate: string;
  readonly node: FieldNode;
}

function costOf(
  context: ValidationContext,
  parent: GraphQLCompositeType,
  set: SelectionSetNode,
  multiplier: number,
  ancestors: readonly Walk[],
  seen: Set<string>,
): number {
  let total = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const field = isObjectType(parent) ? parent.getFields()[selection.name.value] : undefined;
      if (!field) continue; // unknown fields (and introspection) are other rules' business
      const coordinate = `${parent.name}.${field.name}`;
      const isList = isListType(getNullableType(field.type));
      const m = multiplier * (isList ? listSize(coordinate, selection, ancestors) : 1);
      const named = getNamedType(field.type);
      if (RECORD_TYPES.has(named.name)) total += m;
      if (selection.selectionSet && isObjectType(named)) {
        const path = [...ancestors, { coordinate, node: selection }];
        total += costOf(context, named, selection.selectionSet, m, path, seen);
      }
    } else {
      const fragment =
        selection.kind === Kind.INLINE_FRAGMENT ? selection : context.getFragment(selection.name.value);
      const name = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : '';
      if (!fragment || seen.has(name)) continue;
      const condition = fragment.typeCondition?.name.value;
      const type = condition ? context.getSchema().getType(condition) : parent;
      if (!isObjectType(type)) continue;
      if (name) seen.add(name);
      total += costOf(context, type, fragment.selectionSet, multiplier, ancestors, seen);
      seen.delete(name);
    }
  }
  return total;
}

function listSize(coordinate: string, node: FieldNode, ancestors: readonly Walk[]): number {
  const spec = LIST_SIZES[coordinate];
  if (!spec) return DEFAULT_LIST_SIZE;
  const owner = spec.from ? ancestors.findLast((a) => a.coordinate === spec.from)?.node : node;
  const value: ValueNode | undefined = owner?.arguments?.find((a) => a.name.value === spec.arg)?.value;
  if (!value || value.kind === Kind.NULL) return spec.absent;
  if (value.kind === Kind.VARIABLE) return spec.cap;
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.INT) {
    const n = Number(value.value);
    return n === 0 && spec.zeroIsDefault ? spec.absent : n;
  }
  return spec.cap;
}

function limitError(code: 'DEPTH_LIMIT' | 'COST_LIMIT', message: string, node: ASTNode): GraphQLError {
  return new GraphQLError(message, { nodes: [node], extensions: { code } });
}
