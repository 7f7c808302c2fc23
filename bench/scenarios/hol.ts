import { create, equals } from '@bufbuild/protobuf';
import type { ProtocolClient } from '../../clients/types.js';
import {
  FeedService,
  type ListPostsRequest,
  ListPostsRequestSchema,
  type ListPostsResponse,
  ListPostsResponseSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { FeedCore } from '../../services/core/index.js';
import { encodedBodySize } from '../wire/body-size.js';
import type { HolScenario } from './types.js';

/** One object: its request and the oracle's answer, to validate what came back. */
export interface HolObject {
  readonly index: number;
  readonly input: ListPostsRequest;
  readonly expected: ListPostsResponse;
  /** The expected body's size as protobuf JSON, for bytesPerOp. */
  readonly jsonBytes: number;
}

/** What fetching one object gave: its completion time from the fetch start, or why it failed. */
export type HolFetch =
  | { readonly ok: true; readonly completedMs: number; readonly firstByteMs: number }
  | { readonly ok: false; readonly reason: string; readonly kind: 'mismatch' | 'error' };

/**
 * The M objects: consecutive list pages (distinct content, same size), each
 * paired with the oracle's answer. The page tokens come from the oracle
 * itself, so the requests are exactly what a client paging through would send.
 */
export async function holObjects(
  scenario: HolScenario,
  oracle: FeedCore,
  postsPerObject: number,
): Promise<HolObject[]> {
  const objects: HolObject[] = [];
  let pageToken = '';
  for (let index = 0; index < scenario.objects; index++) {
    const input = create(ListPostsRequestSchema, { limit: postsPerObject, pageToken });
    const expected = await oracle.listPosts(input);
    if (expected.posts.length !== postsPerObject) {
      throw new Error(
        `hol: expected ${scenario.objects} pages of ${postsPerObject} posts in the dataset, got ${expected.posts.length} on page ${index + 1}`,
      );
    }
    const jsonBytes = encodedBodySize(ListPostsResponseSchema, expected, 'json');
    objects.push({ index, input, expected, jsonBytes });
    pageToken = expected.nextPageToken;
  }
  return objects;
}

/**
 * Issues every object's request at once and resolves when all have settled.
 * Times are from the common start to each object's last byte (the call
 * resolving with a decoded body) and first byte. Every answer is compared
 * with the oracle's in full: a wrong page is a mismatch, never a fast object.
 */
export async function fetchObjects(
  client: ProtocolClient,
  objects: readonly HolObject[],
  signal: AbortSignal,
): Promise<HolFetch[]> {
  const t0 = process.hrtime.bigint();
  const ms = (t: bigint): number => Number(t - t0) / 1e6;
  return Promise.all(
    objects.map(async (o): Promise<HolFetch> => {
      let firstByte: bigint | undefined;
      try {
        const page = await client.unary(FeedService.method.listPosts, o.input, {
          signal,
          onFirstByte: (t) => {
            firstByte ??= t;
          },
        });
        const completedMs = ms(process.hrtime.bigint());
        if (!equals(ListPostsResponseSchema, page, o.expected)) {
          return {
            ok: false,
            kind: 'mismatch',
            reason: `object ${o.index}: expected page ${o.expected.posts[0]?.id}…${o.expected.posts.at(-1)?.id} (${o.expected.posts.length} posts), got ${page.posts[0]?.id}…${page.posts.at(-1)?.id} (${page.posts.length})`,
          };
        }
        return { ok: true, completedMs, firstByteMs: firstByte === undefined ? completedMs : ms(firstByte) };
      } catch (error) {
        return { ok: false, kind: 'error', reason: `object ${o.index}: ${(error as Error).message}` };
      }
    }),
  );
}
