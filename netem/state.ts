import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LinkConfig } from './link-spec.js';
import { STATE_DIR } from './names.js';

/** Emulation actually in effect: the names the results schema and `status --json` use. */
export type LinkMode = 'tc-netem' | 'userspace';

/** One end of the link: the namespace to run a program in and the address to reach it at. */
export interface Endpoint {
  readonly netns: string | null;
  readonly addr: string | null;
  readonly iface: string;
}

/** What `up` made, recorded so `status` and `down` (even from another process) can find it. */
export interface LinkState {
  readonly mode: LinkMode;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly config: LinkConfig;
  /** The emulator, or the guard process that removes the link when its owner dies. */
  readonly pid: number | null;
  /** Set when `--dev` put qdiscs on an existing interface; `down` removes exactly those. */
  readonly dev: string | null;
  readonly createdAt: string;
  measured: unknown;
}

export const STATE_FILE = join(STATE_DIR, 'state.json');
export const STATS_FILE = join(STATE_DIR, 'emulator-stats.json');
export const LOG_FILE = join(STATE_DIR, 'emulator.log');
/** The userspace emulator's control channel (JSON lines on a Unix socket; reachable from every namespace). */
export const CONTROL_SOCKET = join(STATE_DIR, 'control.sock');
/** The host's tcp_allowed_congestion_control before `up` extended it. */
export const CC_ALLOWED_FILE = join(STATE_DIR, 'cc-allowed-before.json');

/** Writes atomically (temp file + rename), so a reader never sees half a file. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(STATE_DIR, { recursive: true, mode: 0o755 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, path);
}

export async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

export const readState = (): Promise<LinkState | null> => readJson<LinkState>(STATE_FILE);
export const writeState = (s: LinkState): Promise<void> => writeJson(STATE_FILE, s);
export const removeStateDir = (): Promise<void> => rm(STATE_DIR, { recursive: true, force: true });
