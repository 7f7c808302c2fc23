import test from 'ava';
import { runCli } from '../cli/helpers.js';

test('an exception a client library throws outside the cell fails that cell, and the run goes on', async (t) => {
  const { code, stdout, stderr } = await runCli('test/bench/fixtures/uncaught-cell.ts', [], 60_000);
  t.is(code, 0, stderr);
  const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    crashing: { state: string; reason: string };
    normal: { state: string; reason: string };
    sawAbort: boolean;
    listeners: number;
  };
  t.is(out.crashing.state, 'failed');
  t.regex(out.crashing.reason, /uncaught exception.*Can not get http2 TLSSocket/);
  t.true(out.sawAbort, 'the cell was aborted through its own signal, so it can close its clients');
  t.is(out.normal.reason, 'a normal cell', 'the next cell runs normally');
  t.is(out.listeners, 0, 'the guard is removed after each cell');
});
