import { equals } from '@bufbuild/protobuf';
import test from 'ava';
import { FORMATS } from '../../bench/serialization/formats.js';
import { type SampleMessage, sampleMessages } from '../../bench/serialization/messages.js';
import { measureSizes } from '../../bench/serialization/sizes.js';

const samples = sampleMessages(1);

const encodeAll = (list: readonly SampleMessage[]) =>
  list.flatMap((sample) =>
    FORMATS.map((format) => ({
      key: `${sample.name}/${format.name}`,
      bytes: Buffer.from(format.codec(sample).encode(sample.message)),
    })),
  );

test('every format round-trips every sample message (decode(encode(m)) equals m)', async (t) => {
  for (const sample of await samples) {
    for (const format of FORMATS) {
      const codec = format.codec(sample);
      const decoded = codec.decode(codec.encode(sample.message));
      t.true(equals(sample.schema, decoded, sample.message), `${sample.name}/${format.name}`);
    }
  }
});

test('encoded bytes are identical across two datasets built from the same seed', async (t) => {
  const again = await sampleMessages(1);
  const [a, b] = [encodeAll(await samples), encodeAll(again)];
  t.is(a.length, 16);
  for (const [i, cell] of a.entries()) {
    t.true(cell.bytes.equals(b[i]?.bytes ?? Buffer.alloc(0)), `${cell.key}: same bytes`);
  }
  const otherSeed = encodeAll(await sampleMessages(2));
  t.false(a[0]?.bytes.equals(otherSeed[0]?.bytes ?? Buffer.alloc(0)), 'another seed gives another post');
});

test('protobuf binary is smaller than REST JSON for every message', async (t) => {
  const sizes = new Map(encodeAll(await samples).map((c) => [c.key, c.bytes.byteLength]));
  for (const sample of await samples) {
    const proto = sizes.get(`${sample.name}/proto`) ?? Infinity;
    const json = sizes.get(`${sample.name}/json`) ?? 0;
    t.true(proto < json, `${sample.name}: proto ${proto} < json ${json}`);
  }
});

test('the large page is over 1 MB as REST JSON and gzip and brotli shrink it in every format', async (t) => {
  const large = (await samples).find((s) => s.name === 'large');
  if (!large) throw new Error('expected a large sample');
  for (const format of FORMATS) {
    const bytes = format.codec(large).encode(large.message);
    if (format.name === 'json') t.true(bytes.byteLength > 1_000_000, `json: ${bytes.byteLength} bytes`);
    const sizes = await measureSizes(bytes, false);
    t.true(sizes.gzipBytes < sizes.bytes, `${format.name}: gzip ${sizes.gzipBytes} < ${sizes.bytes}`);
    t.true(sizes.brotliBytes < sizes.bytes, `${format.name}: brotli ${sizes.brotliBytes} < ${sizes.bytes}`);
    t.is(sizes.brotliMaxBytes, null);
  }
});

test('text formats decode from bytes that do not start at offset 0 of their buffer', async (t) => {
  const [small] = await samples;
  if (!small) throw new Error('expected a small sample');
  for (const format of FORMATS) {
    const codec = format.codec(small);
    const bytes = codec.encode(small.message);
    const padded = new Uint8Array(bytes.byteLength + 7);
    padded.set(bytes, 3);
    const view = padded.subarray(3, 3 + bytes.byteLength);
    t.true(equals(small.schema, codec.decode(view), small.message), format.name);
  }
});
