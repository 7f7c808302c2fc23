import { create, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import {
  GetAuthorDigestsRequestSchema,
  GetAuthorDigestsResponseSchema,
  GetPostRequestSchema,
  ListPostsRequestSchema,
  ListPostsResponseSchema,
  PostSchema,
} from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { entityId, FeedCore, LIST_SIZES } from '../../services/core/index.js';

export interface SampleMessage {
  readonly name: 'small' | 'medium' | 'large' | 'nested';
  readonly description: string;
  readonly schema: DescMessage;
  readonly message: MessageShape<DescMessage>;
}

export const MESSAGE_NAMES = ['small', 'medium', 'large', 'nested'] as const;

/** The domain messages the serialization benchmark encodes, from the seeded dataset. */
export async function sampleMessages(seed: number): Promise<SampleMessage[]> {
  const core = new FeedCore({ seed });
  const post = await core.getPost(create(GetPostRequestSchema, { id: entityId('p', 1) }));
  const page = (limit: number) => core.listPosts(create(ListPostsRequestSchema, { limit }));
  const digest = await core.getAuthorDigests(
    create(GetAuthorDigestsRequestSchema, {
      userIds: Array.from({ length: 10 }, (_, i) => entityId('u', i)),
      postsPerUser: 5,
      commentsPerPost: 5,
    }),
  );
  return [
    { name: 'small', description: 'one Post', schema: PostSchema, message: post },
    {
      name: 'medium',
      description: `ListPostsResponse of ${LIST_SIZES.medium} posts`,
      schema: ListPostsResponseSchema,
      message: await page(LIST_SIZES.medium),
    },
    {
      name: 'large',
      description: `ListPostsResponse of ${LIST_SIZES.large} posts`,
      schema: ListPostsResponseSchema,
      message: await page(LIST_SIZES.large),
    },
    {
      name: 'nested',
      description: 'GetAuthorDigestsResponse: 10 users × 5 posts × 5 comments',
      schema: GetAuthorDigestsResponseSchema,
      message: digest,
    },
  ];
}
