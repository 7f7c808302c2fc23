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
import type { GraphqlRoot } from './graphql-shape.js';

export const MESSAGE_NAMES = ['small', 'medium', 'large', 'nested'] as const;
export type MessageName = (typeof MESSAGE_NAMES)[number];

/** The shape of the nested sample: users × posts per user × comments per post. */
export const NESTED_SHAPE = { users: 10, postsPerUser: 5, commentsPerPost: 5 } as const;

/** What each sample is, for reports. */
export const MESSAGE_DESCRIPTIONS: Readonly<Record<MessageName, string>> = {
  small: 'one Post',
  medium: `ListPostsResponse of ${LIST_SIZES.medium} posts`,
  large: `ListPostsResponse of ${LIST_SIZES.large} posts`,
  nested: `GetAuthorDigestsResponse: ${NESTED_SHAPE.users} users × ${NESTED_SHAPE.postsPerUser} posts × ${NESTED_SHAPE.commentsPerPost} comments`,
};

export interface SampleMessage {
  readonly name: MessageName;
  readonly description: string;
  readonly schema: DescMessage;
  readonly message: MessageShape<DescMessage>;
  /** The root field of the equivalent GraphQL query (its response is `{"data":{<field>:…}}`). */
  readonly graphql: GraphqlRoot;
}

/**
 * The domain messages the serialization benchmark encodes, read from the
 * seeded dataset through FeedCore (the responses the services send): the same
 * seed gives the same messages, byte for byte.
 */
export async function sampleMessages(seed: number): Promise<SampleMessage[]> {
  const core = new FeedCore({ seed });
  const page = (limit: number) => core.listPosts(create(ListPostsRequestSchema, { limit }));
  return [
    {
      name: 'small',
      description: MESSAGE_DESCRIPTIONS.small,
      schema: PostSchema,
      message: await core.getPost(create(GetPostRequestSchema, { id: entityId('p', 1) })),
      graphql: { field: 'post' },
    },
    {
      name: 'medium',
      description: MESSAGE_DESCRIPTIONS.medium,
      schema: ListPostsResponseSchema,
      message: await page(LIST_SIZES.medium),
      graphql: { field: 'posts' },
    },
    {
      name: 'large',
      description: MESSAGE_DESCRIPTIONS.large,
      schema: ListPostsResponseSchema,
      message: await page(LIST_SIZES.large),
      graphql: { field: 'posts' },
    },
    {
      name: 'nested',
      description: MESSAGE_DESCRIPTIONS.nested,
      schema: GetAuthorDigestsResponseSchema,
      message: await core.getAuthorDigests(
        create(GetAuthorDigestsRequestSchema, {
          userIds: Array.from({ length: NESTED_SHAPE.users }, (_, i) => entityId('u', i)),
          postsPerUser: NESTED_SHAPE.postsPerUser,
          commentsPerPost: NESTED_SHAPE.commentsPerPost,
        }),
      ),
      // Query.authorDigests returns the list itself, not a wrapper object.
      graphql: { field: 'authorDigests', unwrap: 'digests' },
    },
  ];
}
