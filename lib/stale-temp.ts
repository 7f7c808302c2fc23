import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The file in an owned temp dir that names the process it belongs to. */
const OWNER_FILE = 'owner.pid';
/** A dir with no owner file is taken as abandoned only after this long (its creator may be writing it). */
const UNOWNED_GRACE_MS = 10 * 60_000;

/**
 * Creates `<tmpdir>/<prefix>XXXXXX` owned by this process (its pid in
 * `owner.pid`), after removing what earlier runs left behind under the same
 * prefix. Why: a process killed with SIGKILL, or one that crashed before its
 * cleanup ran, cannot remove its own temp dir, so every start sweeps dirs
 * whose owner is gone — never one of a process still running.
 */
export async function ownedTempDir(prefix: `wb-${string}`): Promise<string> {
  await sweepStaleTempDirs(prefix);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

/** Removes `<tmpdir>/<prefix>*` dirs whose owner process is gone; returns the paths removed. */
export async function sweepStaleTempDirs(prefix: `wb-${string}`, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    const dir = join(tmpdir(), name);
    if (await abandoned(dir, now)) {
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}

async function abandoned(dir: string, now: number): Promise<boolean> {
  const owner = await readFile(join(dir, OWNER_FILE), 'utf8').then(
    (text) => Number(text.trim()),
    () => undefined,
  );
  if (owner === undefined || !Number.isInteger(owner) || owner <= 0) {
    const info = await stat(dir).catch(() => undefined);
    return info !== undefined && now - info.mtimeMs > UNOWNED_GRACE_MS;
  }
  return !alive(owner);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
