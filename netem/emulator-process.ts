import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import type { EmulatorConfig, EmulatorStats } from './emulator/main.js';
import type { LinkConfig } from './link-spec.js';
import { NAMES, nodeArgs, PATHS, STATE_DIR } from './names.js';
import { CONTROL_SOCKET, LOG_FILE, readJson, STATS_FILE } from './state.js';

const READY_TIMEOUT_MS = 15_000;

/** A started emulator (or guard) process. */
export interface EmulatorHandle {
  readonly pid: number;
  /** Set when the process is tied to this one: closing it makes the emulator remove the link. */
  readonly child: ChildProcess;
}

/**
 * Starts the emulator as its own process (never in the caller's event
 * loop): python3 opens the TUN devices and execs Node with their fds.
 * `owner: 'process'` ties it to this process through its stdin, so the link
 * disappears with its owner even after SIGKILL; `owner: 'daemon'` detaches
 * it for `netem.sh up`, which returns while the link stays.
 * With `relay: false` no TUN is opened: the process only guards the link.
 */
export async function startEmulator(
  link: LinkConfig,
  options: { owner: 'process' | 'daemon'; relay: boolean },
): Promise<EmulatorHandle> {
  await mkdir(STATE_DIR, { recursive: true });
  const log = await open(LOG_FILE, 'a');
  const config: EmulatorConfig = {
    link,
    relay: options.relay,
    tieToStdin: options.owner === 'process',
    clientIface: NAMES.clientIface,
    serverIface: NAMES.serverIface,
    statsFile: STATS_FILE,
    ...(options.relay ? { controlSocket: CONTROL_SOCKET } : {}),
    title: options.relay ? NAMES.emulatorTitle : NAMES.guardTitle,
  };
  const node = [process.execPath, ...nodeArgs(PATHS.emulatorMain, ['--config', JSON.stringify(config)])];
  const [cmd, ...args] = options.relay
    ? ['python3', PATHS.tunOpen, NAMES.clientIface, NAMES.serverIface, '--', ...node]
    : node;
  const child = spawn(cmd!, args, {
    detached: true,
    stdio: [options.owner === 'process' ? 'pipe' : 'ignore', 'pipe', log.fd],
  });
  await log.close();
  try {
    await waitForReady(child);
  } catch (error) {
    child.kill('SIGKILL');
    const tail = (await readFile(LOG_FILE, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${(error as Error).message}${tail ? `; log: ${tail}` : ''}`);
  }
  // The link must never keep its owner alive: unref the process and its pipes.
  child.stdout?.destroy();
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return { pid: child.pid ?? -1, child };
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`emulator: expected a ready line within ${READY_TIMEOUT_MS} ms, got none`)),
      READY_TIMEOUT_MS,
    );
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`emulator: exited before ready (code ${code}, signal ${signal})`));
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (!buffered.includes('\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      if (buffered.includes('"ready":true')) resolve();
      else reject(new Error(`emulator: expected a ready line, got ${buffered.trim()}`));
    });
  });
}

/**
 * Fresh statistics from a running emulator: SIGUSR2 makes it write them at
 * once; this waits for a file newer than the request (at most 1 s) and
 * returns null when none comes (the emulator is gone).
 */
export async function emulatorStats(pid: number): Promise<EmulatorStats | null> {
  const asked = Date.now();
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return null;
  }
  for (let i = 0; i < 50; i++) {
    const s = await readJson<EmulatorStats & { writtenAt?: number }>(STATS_FILE);
    if (s && (s.writtenAt ?? 0) >= asked) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}
