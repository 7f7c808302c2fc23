import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeArgs } from '../../netem/names.js';
import { run } from '../../netem/run.js';
import { listWbLinks, listWbNetns, listWbProcesses } from '../../netem/sweep.js';

export const NETEM_SH = fileURLToPath(new URL('../../netem/netem.sh', import.meta.url));
const PEER = fileURLToPath(new URL('./fixtures/peer.ts', import.meta.url));

/** Why the root link tests cannot run here, or null when they can. */
export async function linkTestsBlocked(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'not root: link tests need network namespaces and TUN';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing';
  if ((await run('ip', ['-V'])).code !== 0) return 'iproute2 (ip) is missing';
  if ((await run('python3', ['-c', 'import fcntl'])).code !== 0) return 'python3 is missing';
  return null;
}

/** Every wb- object that could be left behind: namespaces, root-namespace links, titled processes. */
export async function leftovers(): Promise<{ netns: string[]; links: string[]; processes: number[] }> {
  const [netns, links, processes] = await Promise.all([listWbNetns(), listWbLinks(), listWbProcesses()]);
  return { netns, links, processes };
}

/** Polls until nothing is left (or the time is up) and returns what is left. */
export async function waitForNoLeftovers(timeoutMs = 8000): ReturnType<typeof leftovers> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await leftovers();
    const empty = left.netns.length + left.links.length + left.processes.length === 0;
    if (empty || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A test peer (fixtures/peer.ts) inside a namespace; resolves JSON lines as they come. */
export function peer(netns: string, args: string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', netns, process.execPath, ...nodeArgs(PEER, args)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
  let buffered = '';
  let stderr = '';
  const lines: unknown[] = [];
  const waiters: ((v: unknown) => void)[] = [];
  let exited = false;
  const failures: (() => void)[] = [];
  child.once('close', () => {
    exited = true;
    for (const f of failures.splice(0)) f();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  child.stdout?.on('data', (c: Buffer) => {
    buffered += c.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const value = JSON.parse(buffered.slice(0, nl)) as unknown;
      buffered = buffered.slice(nl + 1);
      const w = waiters.shift();
      if (w) w(value);
      else lines.push(value);
    }
  });
  return {
    child,
    /** The next JSON line, or a rejection after `timeoutMs` with the peer's stderr. */
    next<T>(timeoutMs = 20_000): Promise<T> {
      if (lines.length > 0) return Promise.resolve(lines.shift() as T);
      return new Promise<T>((resolve, reject) => {
        const fail = (why: string): void => {
          clearTimeout(timer);
          reject(new Error(`peer ${args[0]}: ${why}; stderr: ${stderr}`));
        };
        const timer = setTimeout(() => fail(`no output in ${timeoutMs} ms`), timeoutMs);
        if (exited) fail('exited without output');
        else failures.push(() => setTimeout(() => fail('exited without output'), 50));
        waiters.push((v) => {
          clearTimeout(timer);
          resolve(v as T);
        });
      });
    },
    kill: () => child.kill('SIGKILL'),
  };
}

/** Runs netem.sh to completion. */
export function netemSh(
  args: string[],
  options: { uid?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(NETEM_SH, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** 99% binomial interval for the number of losses among `n` packets at probability `p`. */
export function binomial99(n: number, p: number): [number, number] {
  const sd = Math.sqrt(n * p * (1 - p));
  return [n * p - 2.576 * sd, n * p + 2.576 * sd];
}
