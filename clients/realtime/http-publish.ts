import { create, fromJson, type JsonValue, toJson } from '@bufbuild/protobuf';
import { type FeedEvent, FeedEventSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { ClientError } from '../errors.js';
import { type HttpConnector, readText, replyError, unavailable } from './http.js';
import type { EventPayload } from './types.js';

/**
 * `POST /publish/{topic}` with the payload as FeedEvent protobuf JSON: how
 * clients of push protocols without an upstream channel (SSE, long-poll)
 * publish. Resolves with the event as published.
 */
export async function publishOverHttp(
  http: HttpConnector,
  topic: string,
  payload: EventPayload,
): Promise<FeedEvent> {
  const body = JSON.stringify(toJson(FeedEventSchema, create(FeedEventSchema, { payload })));
  const reply = await http
    .request('POST', `/publish/${encodeURIComponent(topic)}`, {
      headers: { 'content-type': 'application/json' },
      body,
    })
    .catch((error: unknown) => Promise.reject(unavailable(error)));
  if (reply.status !== 200) throw await replyError(reply, `publish ${topic}`);
  const text = await readText(reply.body);
  try {
    return fromJson(FeedEventSchema, JSON.parse(text) as JsonValue);
  } catch (error) {
    throw new ClientError(
      'INTERNAL',
      `publish ${topic}: expected a FeedEvent in protobuf JSON (${String(error)})`,
    );
  }
}
