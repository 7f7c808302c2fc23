import { readdir, readFile } from 'node:fs/promises';
import { NAMES, PATHS } from './names.js';
import { type Runner, run } from './run.js';
import { CC_ALLOWED_FILE, type LinkState, readJson, readState, removeStateDir } from './state.js';
import { restoreCongestionControl } from './topology.js';

/** What a sweep removed, for the one-line report of `down` and for tests. */
export interface SweepReport {
  readonly processes: number[];
  readonly netns: string[];
  readonly links: string[];
  readonly qdiscs: string[];
}

const isWb = (name: string): boolean => name.startsWith(NAMES.prefix);

/** Lists the `wb-` network namespaces. */
export async function listWbNetns(runner: Runner = run): Promise<string[]> {
  const r = await runner('ip', ['netns', 'list']);
  return r.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(isWb);
}

/** Lists `wb-` interfaces in the current (root) namespace. */
export async function listWbLinks(runner: Runner = run): Promise<string[]> {
  const r = await runner('ip', ['-o', 'link', 'show']);
  return r.stdout
    .split('\n')
    .map((line) => (line.split(': ')[1] ?? '').split('@')[0] ?? '')
    .filter(isWb);
}

/**
 * Processes this folder started, found by their process title
 * (`wb-netem-…`) or, in the moment before a process sets its title, by the
 * exact path of one of our scripts on its command line — so a crashed run's
 * emulator or probe agents are found even without a state file.
 */
export async function listWbProcesses(): Promise<number[]> {
  const scripts = [PATHS.tunOpen, PATHS.emulatorMain, PATHS.agentMain];
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const ours = cmdline.startsWith('wb-netem-') || scripts.some((s) => cmdline.includes(`\0${s}\0`));
    if (ours && (await alive(Number(entry)))) out.push(Number(entry));
  }
  return out;
}

/** True while `pid` runs; a zombie (exited, not yet reaped) counts as gone. */
export async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  // State Z (after the last `)`): exited, holds no resources.
  return stat !== null && !/\)\s+Z\s/.test(stat);
}

/** SIGTERM (or SIGKILL), then SIGKILL whatever is still alive after `graceMs`. */
async function killAll(pids: readonly number[], signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const send = (p: number, s: NodeJS.Signals): void => {
    try {
      process.kill(p, s);
    } catch {
      // already gone
    }
  };
  for (const p of pids) send(p, signal);
  const deadline = Date.now() + graceMs;
  let left = [...pids];
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    left = (await Promise.all(left.map(async (p) => ((await alive(p)) ? p : -1)))).filter((p) => p >= 0);
  }
  for (const p of left) send(p, 'SIGKILL');
}

/**
 * Removes every `wb-` object: the emulator and agents (SIGKILL: they own
 * nothing a sweep cannot remove, and their TUN devices vanish with their
 * fds), any process left inside a `wb-` namespace (SIGTERM, then SIGKILL
 * after a second), the namespaces, `wb-` links in the root namespace, the
 * qdiscs `--dev` added, the host's allowed congestion-control list as it
 * was before `up`, and the state directory. Idempotent; `up` runs it
 * first so a crashed run never blocks the next.
 */
export async function sweep(
  options: { runner?: Runner; exceptPid?: number; state?: LinkState | null } = {},
): Promise<SweepReport> {
  const runner = options.runner ?? run;
  const state = options.state === undefined ? await readState() : options.state;
  const except = new Set([process.pid, options.exceptPid ?? -1]);

  // Step 1: our own processes, by title.
  const ours = (await listWbProcesses()).filter((p) => !except.has(p));
  await killAll(ours, 'SIGKILL', 1000);

  // Step 2: anything else still running inside our namespaces, then the namespaces.
  const netns = await listWbNetns(runner);
  const inside: number[] = [];
  for (const ns of netns) {
    const r = await runner('ip', ['netns', 'pids', ns]);
    for (const p of r.stdout.split('\n'))
      if (/^\d+$/.test(p) && !except.has(Number(p))) inside.push(Number(p));
  }
  await killAll(inside, 'SIGTERM', 1000);
  for (const ns of netns) await runner('ip', ['netns', 'del', ns]);

  // Step 3: wb- links left in the root namespace (a TUN between creation and move, an IFB).
  const links = await listWbLinks(runner);
  for (const link of links) await runner('ip', ['link', 'del', link]);

  // Step 4: qdiscs on an interface named with --dev: only the ones we recorded adding.
  const qdiscs: string[] = [];
  if (state?.dev) {
    for (const kind of ['root', 'ingress']) {
      const r = await runner('tc', ['qdisc', 'del', 'dev', state.dev, kind]);
      if (r.code === 0) qdiscs.push(`${state.dev} ${kind}`);
    }
  }
  // Step 5: the host's allowed congestion-control list, if `up` extended it.
  const cc = await readJson<{ before: string }>(CC_ALLOWED_FILE);
  if (cc?.before) await restoreCongestionControl(cc.before).catch(() => {});
  await removeStateDir();
  return { processes: [...ours, ...inside], netns, links, qdiscs };
}
