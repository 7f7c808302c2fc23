import http from 'node:http';
import { type DescMessage, equals, type MessageShape } from '@bufbuild/protobuf';
import { createClient as createConnectClient } from '../../clients/connect/index.js';
import { createClient as createGrpcWebClient } from '../../clients/grpc-web/index.js';
import type { CreateClient } from '../../clients/types.js';
import type { EncodingId, TransportId } from '../../protocols/types.js';
import type { StreamFeedRequest } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { startConnect } from '../../services/connect/index.js';
import type { RpcServerHandle } from '../../services/connect-common/index.js';
import { type CallContext, DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { startGrpcWeb } from '../../services/grpc-web/index.js';
import type { StartOptions } from '../../services/types.js';

/** A fixed clock: events and created posts carry `now`, so server and reference must agree on it. */
export const CORE_OPTIONS = { seed: 1, preset: DATASET_PRESETS.small, nowMs: () => 1_767_225_600_000 };

/** Records how each streamFeed generator ended, to see a client's cancel reach the core. */
export class SpyCore extends FeedCore {
  readonly streamEnds: { aborted: boolean }[] = [];
  override async *streamFeed(req: StreamFeedRequest, ctx: CallContext = {}) {
    try {
      yield* super.streamFeed(req, ctx);
    } finally {
      this.streamEnds.push({ aborted: ctx.signal?.aborted ?? false });
    }
  }
}

/** One protocol under test: its server, its client, the encodings to run. */
export interface Subject {
  readonly id: 'connect' | 'grpc-web';
  readonly start: (core: FeedCore, options: StartOptions) => Promise<RpcServerHandle>;
  readonly createClient: CreateClient;
  readonly encodings: readonly EncodingId[];
}

export const SUBJECTS: readonly Subject[] = [
  { id: 'connect', start: startConnect, createClient: createConnectClient, encodings: ['json', 'proto'] },
  { id: 'grpc-web', start: startGrpcWeb, createClient: createGrpcWebClient, encodings: ['proto'] },
];

export const TRANSPORTS: readonly TransportId[] = ['h1', 'h2c', 'h2', 'h1s', 'h3'];

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

export function sameList<S extends DescMessage>(
  schema: S,
  a: readonly MessageShape<S>[],
  b: readonly MessageShape<S>[],
): boolean {
  return a.length === b.length && a.every((x, i) => equals(schema, x, b[i] as MessageShape<S>));
}

/** What a raw HTTP/1.1 exchange returned, body as bytes. */
export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * POSTs raw bytes over a fresh HTTP/1.1 connection (no agent), bypassing
 * every client library: the way to send what no well-behaved client would.
 */
export function rawPost(
  url: string,
  path: string,
  contentType: string,
  body: Uint8Array,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      { method: 'POST', agent: false, headers: { 'content-type': contentType } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/** A 5-byte envelope header (flags, big-endian length) followed by `payload`. */
export function envelope(flags: number, declaredLength: number, payload: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([head, payload]);
}
