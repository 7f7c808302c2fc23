import { readFileSync } from 'node:fs';
import { equals, toJson } from '@bufbuild/protobuf';
import test from 'ava';
import { buildSchema, type GraphQLObjectType, getNamedType } from 'graphql';
import { FORMATS, toGraphqlShape } from '../../bench/serialization/formats.js';
import { sampleMessages } from '../../bench/serialization/messages.js';
import { runSerializationBench } from '../../bench/serialization/run.js';

test('every format round-trips every sample message', async (t) => {
  for (const sample of await sampleMessages(1)) {
    for (const format of FORMATS) {
      const decoded = format.decode(sample.schema, format.encode(sample.schema, sample.message));
      t.true(equals(sample.schema, decoded, sample.message), `${format.name}/${sample.name}`);
    }
  }
});

test('sizes are deterministic for a seed, protobuf is smaller than JSON, and gzip shrinks the large page', async (t) => {
  const run = () =>
    runSerializationBench({ seed: 3, timeMs: 1, minIterations: 1, messages: ['small', 'large'] });
  const [a, b] = [await run(), await run()];
  t.deepEqual(
    a.map((r) => [r.message, r.format, r.bytes, r.gzipBytes, r.brotliBytes]),
    b.map((r) => [r.message, r.format, r.bytes, r.gzipBytes, r.brotliBytes]),
  );
  for (const message of ['small', 'large']) {
    const size = (format: string) => a.find((r) => r.message === message && r.format === format)?.bytes ?? 0;
    t.true(size('proto') < size('json'), `${message}: proto ${size('proto')} < json ${size('json')}`);
  }
  const large = a.find((r) => r.message === 'large' && r.format === 'json');
  t.true((large?.gzipBytes ?? Infinity) < (large?.bytes ?? 0));
  t.true((large?.bytes ?? 0) > 1_000_000);
  for (const r of a) {
    t.true(r.encodeNs > 0 && r.decodeNs > 0, `${r.format}/${r.message} timed`);
    t.true(r.encode.samples > 0 && Number.isFinite(r.encode.rmePct));
    t.true(r.encode.p50Ns <= r.encode.p99Ns);
  }
});

test('the GraphQL shape of a Post has exactly the SDL Post type’s proto-mirrored fields, enums unprefixed', async (t) => {
  const [small] = await sampleMessages(1);
  if (!small) throw new Error('expected a small sample');
  const shape = toGraphqlShape(
    small.schema,
    toJson(small.schema, small.message, { alwaysEmitImplicit: true }) as never,
  );
  const sdl = buildSchema(
    readFileSync(new URL('../../schemas/graphql/schema.graphql', import.meta.url), 'utf8'),
  );
  const post = sdl.getType('Post') as GraphQLObjectType;
  const sdlFields = post.getFields();
  for (const key of Object.keys(shape)) t.truthy(sdlFields[key], `SDL Post has ${key}`);
  const visibility = getNamedType(sdlFields.visibility?.type);
  t.regex(String(shape.visibility), /^(PUBLIC|FOLLOWERS|PRIVATE|UNSPECIFIED)$/);
  t.is(String(visibility), 'Visibility');
});
