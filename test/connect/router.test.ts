import { create, equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import test from 'ava';
import { toClientError } from '../../clients/connect-common/index.js';
import { FeedService, GetUserRequestSchema, UserSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { createConnectFetchHandler } from '../../services/connect/index.js';
import { feedRoutes, toConnectError } from '../../services/connect-common/index.js';
import { CoreError, FeedCore } from '../../services/core/index.js';
import { createGrpcWebFetchHandler } from '../../services/grpc-web/index.js';
import { CORE_OPTIONS, collect, envelope } from './fixtures.js';

const core = new FeedCore(CORE_OPTIONS);
const reference = new FeedCore(CORE_OPTIONS);
const userId = reference.dataset.users[3]!.id;
const P = `http://in-memory/${FeedService.typeName}/`;

test('the routes answer in memory as the core does (no socket)', async (t) => {
  const client = createClient(FeedService, createRouterTransport(feedRoutes(core)));
  const want = await reference.getUser(create(GetUserRequestSchema, { id: userId }));
  t.true(equals(UserSchema, await client.getUser({ id: userId }), want));
  const events = await collect(client.streamFeed({ topic: 't', count: 5 }));
  t.is(events.length, 5);
  const error = await t.throwsAsync(client.getUser({ id: 'u999999' }), { instanceOf: ConnectError });
  t.is(error?.code, Code.NotFound);
});

test('a bug in the core is a bare internal: no message or stack reaches the caller', async (t) => {
  class BrokenCore extends FeedCore {
    override async getUser(): Promise<never> {
      throw new Error('secret detail at /srv/app.ts:12');
    }
  }
  const client = createClient(FeedService, createRouterTransport(feedRoutes(new BrokenCore(CORE_OPTIONS))));
  const error = await t.throwsAsync(client.getUser({ id: userId }), { instanceOf: ConnectError });
  t.is(error?.code, Code.Internal);
  t.is(error?.rawMessage, 'internal error');
});

test('the Connect fetch handler serves unary JSON and refuses unknown paths', async (t) => {
  const handler = createConnectFetchHandler(core);
  const res = await handler(
    new Request(`${P}GetUser`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: userId }),
    }),
  );
  t.is(res.status, 200);
  t.like(await res.json(), { id: userId });
  t.is((await handler(new Request(`${P}Nope`, { method: 'POST' }))).status, 404);
});

test('the gRPC-Web fetch handler serves enveloped protobuf', async (t) => {
  const body = toBinary(GetUserRequestSchema, create(GetUserRequestSchema, { id: userId }));
  const res = await createGrpcWebFetchHandler(core)(
    new Request(`${P}GetUser`, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web+proto' },
      body: new Uint8Array(envelope(0, body.length, body)),
    }),
  );
  const bytes = Buffer.from(await res.arrayBuffer());
  t.is(bytes[0], 0, 'first frame is a message');
  const user = fromBinary(UserSchema, bytes.subarray(5, 5 + bytes.readUInt32BE(1)));
  t.is(user.id, userId);
});

test('error mapping: CoreError → ConnectError → ClientError keeps the code', (t) => {
  const wire = toConnectError(new CoreError('NOT_FOUND', 'user u1: expected an existing user id, got none'));
  t.is(wire.code, Code.NotFound);
  t.like(toClientError('connect', wire), { code: 'NOT_FOUND', protocolStatus: Code.NotFound });
  t.like(toClientError('connect', new ConnectError('x', Code.PermissionDenied)), {
    code: 'UNKNOWN',
    protocolStatus: Code.PermissionDenied,
  });
  t.like(toClientError('grpc-web', new Error('boom')), { code: 'UNKNOWN' });
});
