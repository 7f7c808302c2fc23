import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { parseBenchFlags } from '../../bench/protocols/flags.js';
import { PROFILES } from '../../bench/protocols/profiles.js';
import type { Results } from '../../bench/results/schema.js';
import { UsageError } from '../../lib/cli.js';
import { runCli } from '../cli/helpers.js';

test('--dry-run prints the plan by scenario × network and the estimate, starts nothing, exits 0', async (t) => {
  const { code, stdout, stderr } = await runCli('bench/protocols/main.ts', [
    '--profile',
    'standard',
    '--dry-run',
  ]);
  t.is(code, 0, stderr);
  // Planned as root: the profile's emulated network is a column even when this process is not root.
  t.regex(stdout, /\| scenario\s+\| loopback\s+\| 4g\s+\|/);
  t.regex(stdout, /\| get-small\s+\| \d+\/\d+ · \d+ s/);
  t.regex(stdout, /plan: \d+ cells \(\d+ skipped\) on 2 networks, estimated [\d.]+ min of budget 14\.0 min/);
  t.notRegex(stdout + stderr, /services for|results in/);
});

test('--dry-run honours explicit flags: --scenarios, --networks, --duration and --budget off', async (t) => {
  const { code, stdout } = await runCli('bench/protocols/main.ts', [
    '--profile',
    'full',
    '--scenarios',
    'get-small',
    '--networks',
    'loopback',
    '--duration',
    '2',
    '--budget',
    'off',
    '--dry-run',
  ]);
  t.is(code, 0);
  t.regex(stdout, /measured 2\.00 s/);
  t.regex(stdout, /on 1 network, no budget \(--budget off\)/);
  t.notRegex(stdout, /\| fanout/);
});

test('budget flags: the profile default, seconds, off; anything else is a usage error (exit 2)', async (t) => {
  t.is(parseBenchFlags([]).budgetS, PROFILES.quick.budgetS);
  t.is(parseBenchFlags(['--profile', 'full']).budgetS, 3400);
  t.is(parseBenchFlags(['--budget', '600']).budgetS, 600);
  t.is(parseBenchFlags(['--budget', 'off']).budgetS, null);
  t.false(parseBenchFlags([]).durationFixed);
  t.true(parseBenchFlags(['--duration', '3']).durationFixed);
  t.throws(() => parseBenchFlags(['--budget=-10']), {
    instanceOf: UsageError,
    message: /--budget: expected/,
  });
  for (const bad of ['abc', '5', '0', '1e9', '', 'none']) {
    t.throws(() => parseBenchFlags(['--budget', bad]), {
      instanceOf: UsageError,
      message: /--budget: expected/,
    });
  }
  const { code, stderr } = await runCli('bench/protocols/main.ts', ['--budget', 'soon', '--dry-run']);
  t.is(code, 2);
  t.is(stderr.trim().split('\n').length, 1);
  t.regex(stderr, /--budget: expected seconds \(e\.g\. 840\) or off, got "soon"/);
});

test('--help lists --dry-run and --budget', async (t) => {
  const { code, stdout } = await runCli('bench/protocols/main.ts', ['--help']);
  t.is(code, 0);
  t.regex(stdout, /--dry-run/);
  t.regex(stdout, /--budget S\|off/);
});

test('a budget too small for any cell: every runnable cell is recorded skipped with the reason, never dropped', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'wb-budget-'));
  try {
    const { code, stderr } = await runCli('bench/protocols/main.ts', [
      '--protocols',
      'rest,grpc',
      '--scenarios',
      'get-small',
      '--networks',
      'loopback',
      '--budget',
      '10',
      '--out',
      out,
    ]);
    t.is(code, 0, stderr);
    t.regex(stderr, /loopback: profile budget of 10 s exhausted — its \d+ cells are skipped/);
    t.notRegex(stderr, /services for loopback/);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
    const budgetSkips = results.cells.filter(
      (c) => c.state === 'skipped' && c.reason === 'profile budget of 10 s exhausted',
    );
    // rest on its default transport and grpc on its: both planned, both recorded.
    t.deepEqual(budgetSkips.map((c) => c.protocol).sort(), ['grpc', 'rest']);
    t.is(results.run.budget?.budgetS, 10);
    t.is(results.run.budget?.skippedCells, budgetSkips.length);
    t.true((results.run.budget?.unscaledEstimateS ?? 0) > 10);
    t.regex(
      await readFile(join(out, 'report.md'), 'utf8'),
      /Budget 10 s: .* 2 cells skipped: budget exhausted/,
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
