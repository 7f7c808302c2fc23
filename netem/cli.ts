/**
 * `netem/netem.sh up <profile> | up --delay … | down | status [--json] | profiles`.
 * Exit status: 0 ok, 1 cannot run here (not root, no TUN, a system command
 * failed), 2 usage error (unknown flag or bad value).
 */
import { parseFlags, runMain, UsageError } from '../lib/cli.js';
import { NetemUnavailableError, type RequestedMode } from './capabilities.js';
import { linkStatus, linkUp } from './link.js';
import { applyOverrides, type LinkConfig, SPEC_KEYS, type SpecOverrides } from './link-spec.js';
import type { Measured } from './measure/measure.js';
import { PROFILE_NAMES, PROFILES, resolveNetwork } from './profiles.js';
import { formatLink } from './report.js';
import { sweep } from './sweep.js';
import { LinkSpecError } from './units.js';

const HELP = `Usage: netem/netem.sh <command> [flags]      (root; Linux)

  up <profile>[,key=value…] [flags]   join wb-client and wb-server through an impaired link
  up --delay 40ms --jitter 5ms --loss 1% --rate 20mbit
  down                                remove every wb- namespace, link, qdisc and process
  status [--json]                     mode, endpoints, configured vs measured
  profiles [--json]                   the named profiles and their sources

Link (each direction unless noted; flags override the profile):
  --delay T  --jitter T  --distribution uniform|normal  --loss P% | ge:p%:r%[:1-h%[:1-k%]]
  --rate R (server→client)  --up-rate R (client→server)  --queue BYTES  --reorder P%  --duplicate P%
  --drop tcp|udp:PORT:K   drop the K-th server→client data packet of each flow from PORT (userspace)
Run:
  --mode auto|tc|userspace   tc-netem where the kernel has it, else the userspace emulator (auto)
  --cc NAME                  TCP congestion control in both namespaces (default cubic)
  --seed N                   seeds the emulator's random choices (default 1)
  --dev IFACE                tc-netem on an existing interface instead of namespaces (explicit only)
  --probes N                 self-verification probes (default 300); --no-verify skips it
  --foreground               stay attached; Ctrl-C removes the link
  --json                     print the status JSON instead of the table

Profiles: ${PROFILE_NAMES.join(', ')}`;

const OPTIONS = {
  mode: { type: 'string' },
  cc: { type: 'string' },
  seed: { type: 'string' },
  dev: { type: 'string' },
  probes: { type: 'string' },
  'no-verify': { type: 'boolean' },
  foreground: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
  ...Object.fromEntries(SPEC_KEYS.map((k) => [k, { type: 'string' }])),
} as const;

async function main(): Promise<number> {
  const { values, positionals } = parseFlags(process.argv.slice(2), OPTIONS);
  const v = values as Record<string, string | boolean | undefined>;
  const [command, network, ...extra] = positionals;
  if (v.help || command === undefined) {
    process.stdout.write(`${HELP}\n`);
    return command === undefined && !v.help ? 2 : 0;
  }
  if (extra.length > 0)
    throw new UsageError(`expected at most one profile or spec, got "${extra.join(' ')}"`);
  switch (command) {
    case 'up':
      return up(network, v);
    case 'down': {
      const r = await sweep();
      process.stdout.write(
        `netem: down (removed ${r.netns.length} namespaces, ${r.links.length} links, ${r.processes.length} processes, ${r.qdiscs.length} qdiscs)\n`,
      );
      return 0;
    }
    case 'status': {
      const s = await linkStatus();
      if (v.json) process.stdout.write(`${JSON.stringify(s)}\n`);
      else if (s.mode === 'down' || !s.configured) {
        process.stdout.write(`netem: down${s.stale ? ' (stale wb- objects left: run down)' : ''}\n`);
      } else {
        const measured = s.measured as Measured | null;
        process.stdout.write(`${formatLink({ ...s, mode: s.mode, configured: s.configured, measured })}\n`);
      }
      return 0;
    }
    case 'profiles':
      if (v.json) process.stdout.write(`${JSON.stringify(PROFILES, null, 2)}\n`);
      else
        for (const p of Object.values(PROFILES))
          process.stdout.write(`${p.name.padEnd(11)} ${p.description}\n            source: ${p.source}\n`);
      return 0;
    default:
      throw new UsageError(`expected a command up|down|status|profiles, got "${command}"`);
  }
}

async function up(
  network: string | undefined,
  v: Record<string, string | boolean | undefined>,
): Promise<number> {
  const mode = (v.mode as string | undefined) ?? 'auto';
  if (!['auto', 'tc', 'userspace'].includes(mode))
    throw new UsageError(`--mode: expected auto, tc or userspace, got "${mode}"`);
  const seed = v.seed === undefined ? 1 : Number(v.seed);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed: expected a non-negative integer, got "${v.seed}"`);
  const probes = v.probes === undefined ? 300 : Number(v.probes);
  if (!Number.isSafeInteger(probes) || probes < 10)
    throw new UsageError(`--probes: expected an integer ≥ 10, got "${v.probes}"`);
  const cc = (v.cc as string | undefined) ?? 'cubic';
  const overrides: SpecOverrides = {};
  for (const k of SPEC_KEYS) if (typeof v[k] === 'string') overrides[k] = v[k] as string;
  let config: LinkConfig;
  try {
    const base = resolveNetwork(network ?? 'delay=0ms', seed, cc);
    config = Object.keys(overrides).length > 0 ? applyOverrides(base, overrides) : base;
    if (!network) config = { ...config, name: 'custom' };
  } catch (e) {
    if (e instanceof LinkSpecError) throw new UsageError(e.message);
    throw e;
  }
  const foreground = v.foreground === true;
  let linkIsUp = false;
  // Ctrl-C while the link is being made (or, with --foreground, while it is up): remove
  // whatever exists, twice, because a process being started during the first sweep is
  // only visible to the second.
  const abort = (): void => {
    void sweep()
      .then(() => new Promise((r) => setTimeout(r, 300)))
      .then(() => sweep())
      .finally(() => process.exit(linkIsUp ? 0 : 130));
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  const link = await linkUp({
    network: config,
    mode: mode as RequestedMode,
    cc,
    seed,
    ...(typeof v.dev === 'string' ? { dev: v.dev } : {}),
    verify: v['no-verify'] ? false : { probes },
    owner: foreground ? 'process' : 'daemon',
    log: v.json ? undefined : (line) => process.stderr.write(`netem: ${line}\n`),
  });
  linkIsUp = true;
  const status = await linkStatus();
  if (v.json) process.stdout.write(`${JSON.stringify(status)}\n`);
  else process.stdout.write(`${formatLink({ ...link, emulator: status.emulator })}\n`);
  if (!foreground) return 0;
  process.stderr.write('netem: link up; Ctrl-C removes it\n');
  await new Promise<void>(() => {}); // the SIGINT/SIGTERM handler above removes the link and exits
  return 0;
}

runMain('netem.sh', async () => {
  try {
    return await main();
  } catch (e) {
    if (e instanceof NetemUnavailableError) {
      process.stderr.write(`netem.sh: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
});
