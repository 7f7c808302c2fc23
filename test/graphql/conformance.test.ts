import test from 'ava';
import { UNARY_OPERATIONS } from '../../clients/graphql/index.js';
import { generateTls } from '../../lib/tls.js';
import type { TransportId } from '../../protocols/types.js';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { CHECKS, compare } from '../conformance/operation-suite.js';
import { Fixture, newCore } from './helpers.js';

const tls = await generateTls();
const fixture = new Fixture();
test.after.always(() => fixture.close());

test('every unary FeedService method has a GraphQL operation', (t) => {
  const unary = FeedService.methods.filter((m) => m.methodKind === 'unary').map((m) => m.localName);
  t.deepEqual(Object.keys(UNARY_OPERATIONS).sort(), unary.sort());
});

/**
 * The shared operation suite (every method but bidi chat) over every
 * transport, compared with an oracle core given the same calls; plus the
 * persisted-GET mode and DataLoader off, which must not change any answer.
 */
const MODES: { transport: TransportId; get?: boolean; dataloader?: boolean }[] = [
  { transport: 'h1' },
  { transport: 'h2c' },
  { transport: 'h1s' },
  { transport: 'h2' },
  { transport: 'h1', get: true },
  { transport: 'h2c', get: true, dataloader: false },
];

for (const mode of MODES) {
  const label = `${mode.transport}${mode.get ? ' GET' : ''}${mode.dataloader === false ? ' no-dataloader' : ''}`;
  test(`conformance over ${label}`, async (t) => {
    const server = await fixture.server(newCore(), mode.transport, { tls });
    const client = await fixture.client(server, tls, { get: mode.get, dataloader: mode.dataloader });
    const oracle = newCore();
    for (const check of CHECKS.filter((c) => c.kind !== 'bidi_streaming')) {
      const { got, want, schema } = await check.run(client, oracle);
      t.is(compare(schema, got, want), undefined, `${label} ${check.name}`);
    }
    t.is(client.bidiStream, undefined);
  });
}

test('core errors keep their code: NOT_FOUND and INVALID_ARGUMENT', async (t) => {
  const server = await fixture.server(newCore(), 'h1');
  const client = await fixture.client(server);
  const m = FeedService.method;
  const missing = await t.throwsAsync(client.unary(m.getUser, { id: 'u999999' }));
  t.is((missing as { code?: string }).code, 'NOT_FOUND');
  const bad = await t.throwsAsync(client.unary(m.listPosts, { limit: -1 }));
  t.is((bad as { code?: string }).code, 'INVALID_ARGUMENT');
  const digest = await t.throwsAsync(
    client.unary(m.getAuthorDigests, { userIds: ['u000001'], postsPerUser: 51, commentsPerPost: 1 }),
  );
  t.is((digest as { code?: string }).code, 'INVALID_ARGUMENT');
});
