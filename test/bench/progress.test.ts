import test from 'ava';
import { createProgress } from '../../bench/protocols/progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, columns: 100, write: (c: string) => chunks.push(c) }, chunks };
}

test('not a TTY: plain lines, one when a cell starts and one when it ends, no control characters', (t) => {
  const { stream, chunks } = sink(false);
  const p = createProgress(2, stream);
  p.log('bench: services up');
  p.start(1, 'get-small rest/h2 loopback');
  p.done(1, 'get-small rest/h2 loopback', '900 req/s');
  p.finish();
  t.deepEqual(chunks.join('').split('\n'), [
    'bench: services up',
    '[1/2] get-small rest/h2 loopback …',
    '[1/2] get-small rest/h2 loopback 900 req/s',
    '',
  ]);
  t.false(chunks.join('').includes('\r'));
});

test('a TTY: a bar redrawn in place with count, percentage and the cell under way; gone after finish', (t) => {
  const { stream, chunks } = sink(true);
  const p = createProgress(4, stream);
  p.start(1, 'fanout websocket/h1 loopback');
  const first = chunks.at(-1) ?? '';
  t.true(first.startsWith('\r\u001b[2K'), 'erases the line, then draws');
  t.regex(first.slice(5), /^\[·{24}\] 0\/4 0% 0:\d\d fanout websocket\/h1 loopback …$/);
  p.done(1, 'fanout websocket/h1 loopback', 'completed');
  p.start(2, 'fanout sse/h1 loopback');
  p.done(2, 'fanout sse/h1 loopback', 'completed');
  t.regex(chunks.at(-1) ?? '', /\[#{12}·{12}\] 2\/4 50%/);
  t.true(chunks.includes('[2/4] fanout sse/h1 loopback completed\n'), 'finished cells stay as lines');
  p.finish();
  const after = chunks.length;
  p.log('bench: results in /tmp/x/');
  t.deepEqual(chunks.slice(after), ['bench: results in /tmp/x/\n'], 'no bar after finish');
});
