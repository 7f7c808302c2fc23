import { existsSync } from 'node:fs';
import { parseFlags, parseInteger, parseList, parseNumber, UsageError } from '../../lib/cli.js';
import { PROTOCOL_IDS, type ProtocolId, TRANSPORT_IDS, type TransportId } from '../../protocols/types.js';
import { ALL_SCENARIOS } from '../scenarios/catalog.js';
import { parseNetworks } from './networks.js';
import { PROFILES, type Profile, type ProfileName } from './profiles.js';
import { parseSlo, type Slo } from './slo.js';

export const HELP = `Usage: npm run bench:protocols -- [flags]

Starts the services in a child process, runs the scenario × protocol ×
transport × network matrix, writes results.json, results.csv and report.md to
a results folder, and prints the summary tables.

  --profile quick|standard|full   run length and sample counts (default quick)
  --protocols LIST                ${PROTOCOL_IDS.join(',')}
  --transports LIST               ${TRANSPORT_IDS.join(',')}
  --scenarios LIST                ${ALL_SCENARIOS.map((s) => s.name).join(',')}
  --networks LIST                 loopback, profiles (lan, broadband, 4g, 3g, lossy-wifi, satellite, …)
                                  or delay=40ms,jitter=5ms,loss=1%,rate=20mbit (emulated: root only)
  --netem auto|tc|userspace|off   link emulation mode (default auto)
  --load closed|open              load model (default closed)
  --rate N                        open-loop arrivals per second (required with --load open)
  --arrival constant|poisson      open-loop arrival process (default constant)
  --connections N                 connections per client (default 1)
  --concurrency N                 calls in flight per cell (closed: default 1; open: at most, default 64)
  --duration S                    measured seconds per cell (default: profile; never scaled by the budget)
  --budget S|off                  wall-clock budget of the run in seconds (default: the profile's —
                                  quick 170, standard 840, full 3400); the plan is scaled to fit it and
                                  cells that cannot fit are recorded skipped; off: no budget
  --dry-run                       print the plan (cells by scenario × network, estimated time against
                                  the budget, as root) and exit without starting anything
  --seed N                        seed for data and request sequences (default 1)
  --out DIR                       results folder (default results/<UTC timestamp>/)
  --json                          print results.json to stdout instead of tables
  --slo 'p99<200ms'               repeatable; a breach exits 1
  --help`;

export interface BenchConfig {
  readonly profileName: ProfileName;
  readonly profile: Profile;
  readonly protocols: readonly ProtocolId[];
  readonly transports: readonly TransportId[] | undefined;
  readonly scenarios: readonly string[];
  /** Scenarios on emulated networks: the same as `scenarios` when given on the command line, else the profile's. */
  readonly emulatedScenarios: readonly string[];
  readonly networks: readonly string[];
  /** Networks the hol scenario runs on: the profile's choice, unless --networks names them. */
  readonly holNetworks: readonly string[] | undefined;
  /** Why the profile's emulated network was left out (not root, no TUN), for one line of output. */
  readonly networkNote: string | undefined;
  readonly netem: 'auto' | 'tc' | 'userspace' | 'off';
  readonly load: 'closed' | 'open';
  /** Open loop only. */
  readonly rate: number | null;
  readonly arrival: 'constant' | 'poisson';
  readonly connections: number;
  readonly concurrency: number;
  readonly durationS: number;
  /** --duration was given: the budget scales everything but the measured seconds. */
  readonly durationFixed: boolean;
  /** Wall-clock budget (s), or null with --budget off. */
  readonly budgetS: number | null;
  /** --dry-run: plan (as root), estimate, print, exit 0. */
  readonly dryRun: boolean;
  readonly seed: number;
  readonly outDir: string | undefined;
  readonly json: boolean;
  readonly slos: readonly Slo[];
  readonly help: boolean;
}

/** Parses and validates every flag; any mistake is a one-line UsageError (exit 2). */
export function parseBenchFlags(argv: string[]): BenchConfig {
  const { values, positionals } = parseFlags(argv, {
    profile: { type: 'string', default: 'quick' },
    protocols: { type: 'string' },
    transports: { type: 'string' },
    scenarios: { type: 'string' },
    networks: { type: 'string' },
    netem: { type: 'string', default: 'auto' },
    load: { type: 'string', default: 'closed' },
    rate: { type: 'string' },
    arrival: { type: 'string', default: 'constant' },
    connections: { type: 'string', default: '1' },
    concurrency: { type: 'string' },
    duration: { type: 'string' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    slo: { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', default: false },
    budget: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`expected flags only, got "${positionals[0]}"`);
  if (!(values.profile in PROFILES)) {
    throw new UsageError(
      `--profile: expected one of ${Object.keys(PROFILES).join(', ')}, got "${values.profile}"`,
    );
  }
  const profileName = values.profile as ProfileName;
  const profile = PROFILES[profileName];
  const netem = parseList('netem', values.netem, ['auto', 'tc', 'userspace', 'off'] as const);
  if (netem.length !== 1) throw new UsageError(`--netem: expected one mode, got "${values.netem}"`);
  const load = parseList('load', values.load, ['closed', 'open'] as const);
  if (load.length !== 1) throw new UsageError(`--load: expected one model, got "${values.load}"`);
  const model = load[0] ?? 'closed';
  if (model === 'open' && values.rate === undefined) {
    throw new UsageError('--load open: expected --rate <req/s>, got none');
  }
  if (model === 'closed' && values.rate !== undefined) {
    throw new UsageError(`--rate: expected --load open with it, got --load ${model}`);
  }
  const arrival = parseList('arrival', values.arrival, ['constant', 'poisson'] as const);
  if (arrival.length !== 1) throw new UsageError(`--arrival: expected one process, got "${values.arrival}"`);
  // Without --networks: loopback, plus the profile's emulated network when this machine can emulate.
  let networkNote: string | undefined;
  let networks = parseNetworks(values.networks ?? ['loopback', ...profile.emulatedNetworks].join(','));
  if (values.networks === undefined && profile.emulatedNetworks.length > 0) {
    const missing = emulationMissing();
    if (missing && values['dry-run']) {
      networkNote = `dry run plans as root: ${profile.emulatedNetworks.join(', ')} included (a real run here would leave them out: ${missing})`;
    } else if (missing) {
      networks = ['loopback'];
      networkNote = `emulated ${profile.emulatedNetworks.join(', ')} left out: ${missing}; running on loopback only`;
    }
  }
  const scenarioList = values.scenarios
    ? parseList(
        'scenarios',
        values.scenarios,
        ALL_SCENARIOS.map((s) => s.name),
      )
    : undefined;
  return {
    profileName,
    profile,
    protocols: values.protocols ? parseList('protocols', values.protocols, PROTOCOL_IDS) : PROTOCOL_IDS,
    transports: values.transports ? parseList('transports', values.transports, TRANSPORT_IDS) : undefined,
    scenarios: scenarioList ?? profile.scenarios,
    emulatedScenarios: scenarioList ?? profile.emulatedScenarios,
    networkNote,
    networks,
    holNetworks: values.networks === undefined ? profile.hol.networks : undefined,
    netem: netem[0] ?? 'auto',
    load: model,
    rate: values.rate === undefined ? null : parseNumber('rate', values.rate, 0.1, 1_000_000),
    arrival: arrival[0] ?? 'constant',
    connections: parseInteger('connections', values.connections, 1, 1024),
    concurrency:
      values.concurrency === undefined
        ? model === 'open'
          ? 64
          : 1
        : parseInteger('concurrency', values.concurrency, 1, 10_000),
    durationS: values.duration ? parseNumber('duration', values.duration, 0.1, 3600) : profile.durationS,
    durationFixed: values.duration !== undefined,
    budgetS: parseBudget(values.budget, profile.budgetS),
    dryRun: values['dry-run'],
    seed: parseInteger('seed', values.seed, 0, 2 ** 31 - 1),
    outDir: values.out,
    json: values.json,
    slos: values.slo.map(parseSlo),
    help: values.help,
  };
}

/** `--budget`: seconds (10 s to a day) or `off`; absent: the profile's. */
function parseBudget(value: string | undefined, profileBudgetS: number): number | null {
  if (value === undefined) return profileBudgetS;
  if (value === 'off') return null;
  if (!/^\d+(\.\d+)?$/.test(value)) {
    throw new UsageError(`--budget: expected seconds (e.g. 840) or off, got "${value}"`);
  }
  return parseNumber('budget', value, 10, 86_400);
}

/** Why link emulation cannot run here, or undefined when it probably can (root and /dev/net/tun). */
function emulationMissing(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'emulated networks need root';
  if (!existsSync('/dev/net/tun')) return 'no /dev/net/tun';
  return undefined;
}
