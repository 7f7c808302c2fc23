import { existsSync } from 'node:fs';
import { NAMES } from './names.js';
import { type Runner, run } from './run.js';
import type { LinkMode } from './state.js';

/** What this machine can do for link emulation, and why not where it cannot. */
export interface Capabilities {
  readonly root: boolean;
  /** `ip` and `tc` (iproute2) are present. */
  readonly iproute2: boolean;
  /** The kernel accepted a `netem` qdisc (tried in a throw-away namespace). */
  readonly netem: boolean;
  /** /dev/net/tun exists and python3 can open it (userspace mode). */
  readonly tun: boolean;
  /** One line per missing piece, for logs and skipped results. */
  readonly reasons: string[];
}

/** The system calls the probe makes, injectable so tests can fake any machine. */
export interface ProbeDeps {
  readonly runner: Runner;
  readonly uid: () => number;
  readonly exists: (path: string) => boolean;
}

const realDeps: ProbeDeps = { runner: run, uid: () => process.getuid?.() ?? -1, exists: existsSync };

/**
 * Probes for sch_netem the only reliable way: add a netem qdisc to the
 * loopback of a throw-away `wb-probe` namespace (module autoload included)
 * and remove the namespace. `modprobe -n` and /proc/modules miss built-in
 * or container-denied modules. Also checks root, iproute2 and TUN.
 */
export async function probeNetem(deps: Partial<ProbeDeps> = {}): Promise<Capabilities> {
  const { runner, uid, exists } = { ...realDeps, ...deps };
  const reasons: string[] = [];
  const root = uid() === 0;
  if (!root) reasons.push('not root: network namespaces, TUN and tc need root');
  const iproute2 = (await runner('ip', ['-V'])).code === 0 && (await runner('tc', ['-V'])).code === 0;
  if (!iproute2) reasons.push('iproute2 (ip, tc) not found: apt-get install iproute2');
  let tun = exists('/dev/net/tun');
  if (!tun) reasons.push('/dev/net/tun is missing (no TUN support in this kernel or container)');
  if (tun && (await runner('python3', ['-c', 'import fcntl'])).code !== 0) {
    tun = false;
    reasons.push(
      'python3 not found: the userspace emulator opens TUN devices with it (apt-get install python3-minimal)',
    );
  }
  let netem = false;
  if (root && iproute2) {
    await runner('ip', ['netns', 'del', NAMES.probeNetns]);
    if ((await runner('ip', ['netns', 'add', NAMES.probeNetns])).code === 0) {
      const r = await runner('tc', [
        '-n',
        NAMES.probeNetns,
        'qdisc',
        'add',
        'dev',
        'lo',
        'root',
        'netem',
        'delay',
        '1ms',
      ]);
      netem = r.code === 0;
      if (!netem) reasons.push(`kernel has no sch_netem: ${(r.stderr.trim().split('\n')[0] ?? '').trim()}`);
      await runner('ip', ['netns', 'del', NAMES.probeNetns]);
    } else {
      reasons.push('cannot create a network namespace');
    }
  }
  return { root, iproute2, netem, tun: root && tun, reasons };
}

/** The emulation mode a user asked for. */
export type RequestedMode = 'auto' | 'tc' | 'userspace';

/** Emulation is not possible here (or not in the mode asked); `code` lets callers fall back to loopback. */
export class NetemUnavailableError extends Error {
  override readonly name = 'NetemUnavailableError';
  constructor(
    readonly code: 'not-root' | 'no-iproute2' | 'no-netem' | 'no-tun' | 'unsupported',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Picks the mode: tc-netem where the kernel has it, the userspace emulator
 * otherwise (`auto`); a forced mode that cannot work is an error with the
 * reason. `--dev` needs tc; the deterministic drop needs the emulator.
 */
export function selectMode(
  requested: RequestedMode,
  caps: Capabilities,
  needs: { dev?: boolean; dropNth?: boolean } = {},
): LinkMode {
  if (!caps.root)
    throw new NetemUnavailableError('not-root', 'needs root; without it the bench runs on loopback only');
  if (!caps.iproute2) throw new NetemUnavailableError('no-iproute2', caps.reasons.join('; '));
  if (needs.dev && needs.dropNth) {
    throw new NetemUnavailableError(
      'unsupported',
      '--dev uses tc-netem, which cannot drop the k-th packet (drop=…)',
    );
  }
  const wantTc = requested === 'tc' || (requested === 'auto' && !needs.dropNth && (caps.netem || needs.dev));
  if (wantTc) {
    if (needs.dropNth)
      throw new NetemUnavailableError('unsupported', 'drop=… (k-th packet) needs --mode userspace');
    if (!caps.netem) throw new NetemUnavailableError('no-netem', `--mode tc: ${caps.reasons.join('; ')}`);
    return 'tc-netem';
  }
  if (needs.dev)
    throw new NetemUnavailableError(
      'unsupported',
      '--dev needs tc-netem; the userspace emulator only links its own namespaces',
    );
  if (!caps.tun) throw new NetemUnavailableError('no-tun', `userspace emulator: ${caps.reasons.join('; ')}`);
  return 'userspace';
}
