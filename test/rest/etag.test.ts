import test from 'ava';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { createRestHandler } from '../../services/rest/index.js';

const handler = createRestHandler(new FeedCore({ seed: 1, preset: DATASET_PRESETS.small }));

test('GETs carry a strong ETag; If-None-Match with it gives 304 and no body; a changed resource does not match', async (t) => {
  const first = await handler(new Request('http://x/v1/posts/p000001'));
  t.is(first.status, 200);
  const etag = first.headers.get('etag');
  t.regex(etag ?? '', /^"[\w-]{27}"$/);
  t.is(first.headers.get('cache-control'), 'no-cache');
  const again = await handler(
    new Request('http://x/v1/posts/p000001', { headers: { 'if-none-match': etag ?? '' } }),
  );
  t.is(again.status, 304);
  t.is(again.headers.get('etag'), etag);
  t.is((await again.arrayBuffer()).byteLength, 0);
  const weak = await handler(
    new Request('http://x/v1/posts/p000001', { headers: { 'if-none-match': `W/${etag}` } }),
  );
  t.is(weak.status, 304, 'If-None-Match compares weakly');
  const other = await handler(
    new Request('http://x/v1/posts/p000002', { headers: { 'if-none-match': etag ?? '' } }),
  );
  t.is(other.status, 200, 'another resource has another tag');
  t.not(other.headers.get('etag'), etag);
});

test('POSTs are not cacheable: no ETag', async (t) => {
  const res = await handler(
    new Request('http://x/v1/posts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ authorId: 'u000001', title: 'Hello' }),
    }),
  );
  t.is(res.status, 201);
  t.is(res.headers.get('etag'), null);
});
