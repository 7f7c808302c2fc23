import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ownedTempDir, sweepStaleTempDirs } from '../../lib/stale-temp.js';

const PREFIX = 'wb-stale-test-' as const;
const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

test.after.always(async () => {
  await sweepStaleTempDirs(PREFIX, Number.POSITIVE_INFINITY);
});

test('a start sweeps dirs whose owner is gone, keeps live owners and fresh unowned dirs', async (t) => {
  // A pid that surely ended: a child that already exited.
  const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
  const dead = await mkdtemp(join(tmpdir(), PREFIX));
  await writeFile(join(dead, 'owner.pid'), String(deadPid));
  const live = await mkdtemp(join(tmpdir(), PREFIX));
  await writeFile(join(live, 'owner.pid'), String(process.pid));
  const fresh = await mkdtemp(join(tmpdir(), PREFIX));
  const old = await mkdtemp(join(tmpdir(), PREFIX));
  const hour = new Date(Date.now() - 3_600_000);
  await utimes(old, hour, hour);

  const mine = await ownedTempDir(PREFIX);

  t.false(await exists(dead), 'the dead owner’s dir is removed');
  t.false(await exists(old), 'an unowned dir an hour old is removed');
  t.true(await exists(live), 'a live owner’s dir is kept');
  t.true(await exists(fresh), 'an unowned dir just created is kept (its creator may be writing it)');
  t.true(await exists(join(mine, 'owner.pid')), 'the new dir names its owner');
  for (const dir of [live, fresh, mine]) await rm(dir, { recursive: true, force: true });
});

test('only dirs under the prefix are touched', async (t) => {
  const other = join(tmpdir(), `wb-other-${process.pid}`);
  await mkdir(other, { recursive: true });
  const hour = new Date(Date.now() - 3_600_000);
  await utimes(other, hour, hour);
  await sweepStaleTempDirs(PREFIX);
  t.true(await exists(other));
  await rm(other, { recursive: true, force: true });
});
