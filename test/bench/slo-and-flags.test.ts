import test from 'ava';
import { parseBenchFlags } from '../../bench/protocols/flags.js';
import { parseSlo } from '../../bench/protocols/slo.js';
import { UsageError } from '../../lib/cli.js';

test('SLOs parse units', (t) => {
  t.deepEqual(parseSlo('p99<200ms'), { text: 'p99<200ms', metric: 'p99', limitMs: 200 });
  t.is(parseSlo('max<2s').limitMs, 2000);
  t.is(parseSlo('p50<500us').limitMs, 0.5);
  t.throws(() => parseSlo('p98<1ms'), { instanceOf: UsageError, message: /expected .* got "p98<1ms"/ });
});

test('bench flags: defaults, lists and bad values', (t) => {
  const config = parseBenchFlags([]);
  t.is(config.profileName, 'quick');
  t.is(config.concurrency, 1);
  t.deepEqual(parseBenchFlags(['--protocols', 'rest,grpc']).protocols, ['rest', 'grpc']);
  const bad: string[][] = [
    ['--bogus'],
    ['--profile', 'huge'],
    ['--protocols', 'rest,soap'],
    ['--transports', 'h4'],
    ['--concurrency', '0'],
    ['--concurrency', '2x'],
    ['--scenarios', 'nope'],
    ['--slo', 'fast'],
    ['stray'],
  ];
  for (const argv of bad) {
    t.throws(() => parseBenchFlags(argv), { instanceOf: UsageError }, argv.join(' '));
  }
});
