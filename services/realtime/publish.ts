import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { type FeedEvent, FeedEventSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { FeedCore } from '../core/index.js';
import type { HttpExchange } from './exchange.js';
import { eventJson, HttpFailure, readBody } from './http-util.js';

/**
 * `POST /publish/{topic}` — how SSE and long-poll clients publish, since
 * neither has a client-to-server channel of its own. The body is a FeedEvent
 * in protobuf JSON of which only the payload (`post` or `comment`) is used:
 * the hub assigns `seq`, `topic` and `sentAt`. The reply is the event as
 * published, so the publisher learns its seq.
 */
export async function handlePublish(
  core: FeedCore,
  topic: string,
  exchange: HttpExchange,
  maxBytes: number,
): Promise<void> {
  const type = (exchange.header('content-type') ?? '').split(';', 1)[0]?.trim();
  if (type !== 'application/json') {
    throw new HttpFailure(
      415,
      'UNIMPLEMENTED',
      `content-type: expected application/json, got ${type || 'none'}`,
    );
  }
  const body = await readBody(exchange, maxBytes);
  let json: JsonValue;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as JsonValue;
  } catch {
    throw new HttpFailure(400, 'INVALID_ARGUMENT', 'body: expected JSON text, got something else');
  }
  let payload: FeedEvent['payload'];
  try {
    payload = fromJson(FeedEventSchema, json).payload;
  } catch (error) {
    throw new HttpFailure(
      400,
      'INVALID_ARGUMENT',
      `body: expected a FeedEvent in protobuf JSON (${String(error)})`,
    );
  }
  const event = core.topics.publish(topic, payload);
  const text = eventJson(event);
  exchange.respond(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  exchange.end(text);
}
