import { fileURLToPath } from 'node:url';

/**
 * Every system object this folder creates, in one place. All names start
 * with `wb-` (the project's contract), so a sweep can find and remove
 * leftovers after a crash without touching anything it did not create.
 */
export const NAMES = {
  prefix: 'wb-',
  clientNetns: 'wb-client',
  serverNetns: 'wb-server',
  probeNetns: 'wb-probe',
  /** Client-side interface (TUN in userspace mode, veth end in tc mode). */
  clientIface: 'wb-cli0',
  /** Server-side interface. */
  serverIface: 'wb-srv0',
  /** IFB device used for ingress shaping with `--dev`. */
  ifbIface: 'wb-ifb0',
  clientAddr: '10.87.66.1',
  serverAddr: '10.87.66.2',
  /** Process titles (visible in `ps`/`pgrep`), so stray processes can be found by name. */
  emulatorTitle: 'wb-netem-emulator',
  guardTitle: 'wb-netem-guard',
  agentTitle: 'wb-netem-agent',
} as const;

/** Where `up` records what it made; `/run` is tmpfs, cleared on reboot like the namespaces themselves. */
export const STATE_DIR = process.env.WB_NETEM_STATE_DIR ?? '/run/wb-netem';

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

/** Absolute paths of the scripts this folder runs as separate processes. */
export const PATHS = {
  tunOpen: here('./tun-open.py'),
  emulatorMain: here('./emulator/main.ts'),
  agentMain: here('./measure/agent.ts'),
  /** The tsx loader, by absolute URL, so child processes work from any working directory. */
  tsxLoader: new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url).href,
} as const;

/** Arguments that start a TypeScript file of this repository in a fresh Node process. */
export function nodeArgs(script: string, args: readonly string[] = []): string[] {
  return ['--import', PATHS.tsxLoader, script, ...args];
}
