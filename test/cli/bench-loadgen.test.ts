import test from 'ava';
import { runCli } from './helpers.js';

test('bench:loadgen prints the autocannon and h2load ratios', async (t) => {
  const { code, stdout, stderr } = await runCli('bench/loadgen/main.ts', [
    '--duration',
    '1',
    '--connections',
    '2',
    '--streams',
    '4',
  ]);
  t.is(code, 0, stderr);
  t.regex(stdout, /\| h1 \| 2 conn \| \d+ .*\| autocannon \d+ \| [\d.]+× \| 0 \|/);
  // h2load comes from Debian's nghttp2-client; without it the row says so instead of a ratio.
  t.regex(
    stdout,
    /\| h2c \| 1 conn × 4 streams \| \d+.*(\| h2load \d+ \| [\d.]+× \| 0 \||skipped: h2load not installed)/,
  );
});
