import { type Capabilities, probeNetem, type RequestedMode, selectMode } from './capabilities.js';
import type { EmulatorStats } from './emulator/main.js';
import { emulatorStats, startEmulator } from './emulator-process.js';
import { type LinkConfig, summarize } from './link-spec.js';
import { type Measured, type MeasureOptions, measureLink } from './measure/measure.js';
import { NAMES } from './names.js';
import { resolveNetwork } from './profiles.js';
import { type Runner, run } from './run.js';
import { type Endpoint, type LinkMode, type LinkState, readState, writeState } from './state.js';
import { alive, listWbNetns, sweep } from './sweep.js';
import { applyNetem, applyNetemToDev } from './tc-netem.js';
import { createNamespaces, createVethPair, placeTunEnds } from './topology.js';

/** How to bring a link up. Only `network` is needed; the rest has safe defaults. */
export interface LinkUpOptions {
  /** A profile (`4g`), a custom spec (`delay=40ms,loss=1%`), `4g,loss=2%`, or a ready config. */
  readonly network: string | LinkConfig;
  /** Default `auto`: tc-netem where the kernel has it, the userspace emulator otherwise. */
  readonly mode?: RequestedMode;
  /** TCP congestion control in both namespaces. Default `cubic`. */
  readonly cc?: string;
  /** Seeds the emulator's random choices. Default 1. */
  readonly seed?: number;
  /** Apply tc-netem to this existing interface instead of making namespaces (asked explicitly only). */
  readonly dev?: string;
  /** Self-verification after `up`: false skips it; an object tunes it. Default on. */
  readonly verify?: boolean | MeasureOptions;
  /**
   * `process` (default for the API): the link is removed when this process
   * exits or dies, even by SIGKILL. `daemon`: it stays until `down` (CLI).
   */
  readonly owner?: 'process' | 'daemon';
  /** Capability probe, injectable so tests can fake a kernel with or without netem. */
  readonly probe?: () => Promise<Capabilities>;
  readonly runner?: Runner;
  /** Progress lines (the CLI prints them); silent by default. */
  readonly log?: (line: string) => void;
}

/** A link that is up: where to run each side, what was asked and what was measured. */
export interface Link {
  readonly mode: LinkMode;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly config: LinkConfig;
  /** The results schema's `configured` (plus detail). */
  readonly configured: ReturnType<typeof summarize>;
  /** Self-verification at `up`, or null when skipped. */
  readonly measured: (Measured & { at: string }) | null;
  /** Measures again (e.g. after a bench cell), including fresh emulator statistics. */
  measure(options?: MeasureOptions): Promise<Measured>;
  /** The emulator's own statistics (lateness, drops, packets/s); null in tc mode. */
  emulatorStats(): Promise<EmulatorStats | null>;
  /** argv prefix that runs a command inside a namespace: `[...link.exec('server'), 'node', 'x.js']`. */
  exec(side: 'client' | 'server'): string[];
  /** Removes everything `up` made (same as linkDown()). */
  down(): Promise<void>;
}

/**
 * Brings the emulated link up: sweeps stale `wb-` objects, creates the
 * client and server namespaces with the chosen congestion control, joins
 * them through tc-netem (veth) or the userspace emulator (TUN), records the
 * state, and measures the link so callers see configured vs measured.
 * Any failure removes whatever was made before rethrowing.
 */
export async function linkUp(options: LinkUpOptions): Promise<Link> {
  const runner = options.runner ?? run;
  const log = options.log ?? (() => {});
  const given = typeof options.network === 'string' ? null : options.network;
  const seed = options.seed ?? given?.seed ?? 1;
  const cc = options.cc ?? given?.cc ?? 'cubic';
  const config = given ? { ...given, cc, seed } : resolveNetwork(options.network as string, seed, cc);
  const caps = await (options.probe ?? probeNetem)();
  const mode = selectMode(options.mode ?? 'auto', caps, {
    dev: !!options.dev,
    dropNth: config.dropNth !== null,
  });
  const owner = options.owner ?? 'process';
  log(`mode ${mode} (${options.mode ?? 'auto'}${caps.netem ? '' : '; kernel has no sch_netem'})`);
  await sweep({ runner });
  let pid: number | null = null;
  try {
    let client: Endpoint;
    let server: Endpoint;
    if (options.dev) {
      // Step A (--dev): netem on an existing interface, nothing else created.
      await applyNetemToDev(runner, options.dev, config);
      client = { netns: null, addr: null, iface: options.dev };
      server = { netns: null, addr: null, iface: NAMES.ifbIface };
    } else {
      // Step 1: namespaces, congestion control recorded as the kernel reports it.
      const ccSet = await createNamespaces(runner, cc);
      log(`namespaces ${NAMES.clientNetns} ${NAMES.serverNetns}, congestion control ${ccSet.client}`);
      // Step 2: the link itself.
      if (mode === 'userspace') {
        const emulator = await startEmulator(config, { owner, relay: true });
        pid = emulator.pid;
        await placeTunEnds(runner);
        log(`userspace emulator pid ${pid}`);
      } else {
        for (const w of await createVethPair(runner)) log(`warning: ${w}`);
        await applyNetem(runner, config);
        if (owner === 'process') pid = (await startEmulator(config, { owner, relay: false })).pid;
      }
      client = { netns: NAMES.clientNetns, addr: NAMES.clientAddr, iface: NAMES.clientIface };
      server = { netns: NAMES.serverNetns, addr: NAMES.serverAddr, iface: NAMES.serverIface };
    }
    const state: LinkState = {
      mode,
      client,
      server,
      config,
      pid,
      dev: options.dev ?? null,
      createdAt: new Date().toISOString(),
      measured: null,
    };
    await writeState(state);
    // Step 3: self-verification, configured vs measured.
    const configured = summarize(config);
    const statsPid = mode === 'userspace' ? pid : null;
    const doMeasure = async (o: MeasureOptions = {}): Promise<Measured> => {
      const m = await measureLink(
        { rttMs: configured.rttMs + 2 * configured.jitterMs, rateMbit: configured.rateMbit },
        o,
      );
      return { ...m, emulator: statsPid === null ? null : await emulatorStats(statsPid) };
    };
    let measured: (Measured & { at: string }) | null = null;
    if (options.verify !== false && !options.dev) {
      measured = {
        ...(await doMeasure(options.verify === true || !options.verify ? {} : options.verify)),
        at: new Date().toISOString(),
      };
      state.measured = measured;
      await writeState(state);
    }
    return {
      mode,
      client,
      server,
      config,
      configured,
      measured,
      measure: doMeasure,
      emulatorStats: async () => (statsPid === null ? null : emulatorStats(statsPid)),
      exec: (side) => {
        const ns = side === 'client' ? client.netns : server.netns;
        return ns ? ['ip', 'netns', 'exec', ns] : [];
      },
      down: () => linkDown({ runner }),
    };
  } catch (error) {
    await sweep({ runner }).catch(() => {});
    throw error;
  }
}

/** Removes every `wb-` namespace, link, qdisc and process (the link of this or any earlier run). */
export async function linkDown(options: { runner?: Runner } = {}): Promise<void> {
  await sweep({ runner: options.runner ?? run });
}

/**
 * The contract's `status --json` shape: mode (or `down`), endpoints,
 * configured and measured, plus the emulator's live statistics. A link
 * whose emulator or guard died is `down` with `stale: true` (run `down`).
 */
export async function linkStatus(): Promise<{
  mode: LinkMode | 'down';
  client: Endpoint | null;
  server: Endpoint | null;
  configured: ReturnType<typeof summarize> | null;
  measured: unknown;
  pid: number | null;
  emulator: EmulatorStats | null;
  stale: boolean;
}> {
  const s = await readState();
  const none = { client: null, server: null, configured: null, measured: null, pid: null, emulator: null };
  if (!s) return { mode: 'down', ...none, stale: (await listWbNetns()).length > 0 };
  if (s.pid !== null && !(await alive(s.pid))) return { mode: 'down', ...none, pid: s.pid, stale: true };
  const emulator = s.mode === 'userspace' && s.pid !== null ? await emulatorStats(s.pid) : null;
  return {
    mode: s.mode,
    client: s.client,
    server: s.server,
    configured: summarize(s.config),
    measured: s.measured,
    pid: s.pid,
    emulator,
    stale: false,
  };
}
