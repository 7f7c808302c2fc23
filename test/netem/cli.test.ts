import test from 'ava';
import { netemSh } from './helpers.js';

const isRoot = process.getuid?.() === 0;

test('without root, up says so in one line and exits 1', async (t) => {
  // As root, drop to nobody for this one command; as a normal user, run it as is.
  const r = await netemSh(['up', '4g'], isRoot ? { uid: 65534 } : {});
  t.is(r.code, 1);
  t.is(r.stderr.trim().split('\n').length, 1);
  t.regex(r.stderr, /^netem\.sh: needs root .*loopback only/);
});

test('usage errors are one line and exit 2, before anything is created', async (t) => {
  for (const args of [['up', '--delay', 'abc'], ['up', '5g'], ['frobnicate'], ['up', '--mode', 'kernel']]) {
    const r = await netemSh(args);
    if (!isRoot && args[0] === 'up') {
      t.is(r.code, 1, 'not root: the root check comes first');
      continue;
    }
    t.is(r.code, 2, args.join(' '));
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('--help and profiles need no root', async (t) => {
  const help = await netemSh(['--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /up <profile>/);
  const profiles = await netemSh(['profiles', '--json']);
  t.is(profiles.code, 0);
  t.truthy((JSON.parse(profiles.stdout) as Record<string, { source: string }>)['lossy-wifi']?.source);
});
