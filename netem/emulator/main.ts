/**
 * The userspace link emulator, a process of its own (started through
 * tun-open.py, which hands it two TUN fds). It relays IP packets between the
 * client-side and server-side TUN devices through one `Direction` each way,
 * writes its own statistics every second, and on SIGINT/SIGTERM (or, when
 * tied to an owner, when its stdin closes) removes the whole link.
 *
 * With `relay: false` it is only a guard: it holds no TUN and just removes
 * the link when its owner dies (tc-netem links created through the API).
 */
import { rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { setPriority } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { CLEAN_DIRECTION, type LinkConfig } from '../link-spec.js';
import { writeJson } from '../state.js';
import { sweep } from '../sweep.js';
import { handleControl, serveControl } from './control.js';
import { type Clock, Direction, type DirectionStats } from './direction.js';
import { openTun, type TunPort, tunFdsFromEnv } from './tun.js';

/** What the controller passes in `--config`. */
export interface EmulatorConfig {
  readonly link: LinkConfig;
  /** false: guard only, no packets. */
  readonly relay: boolean;
  /** Tear the link down when stdin closes (the owner died). */
  readonly tieToStdin: boolean;
  readonly clientIface: string;
  readonly serverIface: string;
  readonly statsFile: string;
  /** Unix socket of the run-time control channel (armed drops, loss changes); relay mode only. */
  readonly controlSocket?: string;
  readonly title: string;
}

/** The statistics file's content; `measured.emulator` in status and results. */
export interface EmulatorStats {
  readonly pid: number;
  readonly uptimeS: number;
  readonly up: DirectionStats & { ppsLast: number; ppsMean: number };
  readonly down: DirectionStats & { ppsLast: number; ppsMean: number };
  readonly eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** CPU time used since start, as percent of one core. */
  readonly cpuPct: number;
  /** Date.now() when written, so a reader can tell a fresh file from an old one. */
  readonly writtenAt: number;
}

const config = JSON.parse(process.argv[process.argv.indexOf('--config') + 1] ?? '{}') as EmulatorConfig;
process.title = config.title;
// The link should not be starved by the programs using it: a real link does not wait for a CPU.
try {
  setPriority(-10);
} catch {
  // not permitted: run at normal priority
}
process.stdout.on('error', () => {}); // the owner may have gone; never die of EPIPE

const clock: Clock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const started = performance.now();
const tuns: TunPort[] = [];
let up: Direction | null = null;
let down: Direction | null = null;

// Step 1: wire the TUN devices through one Direction each way.
if (config.relay) {
  const fds = tunFdsFromEnv(process.env.WB_TUN_FDS);
  const clientFd = fds.get(config.clientIface);
  const serverFd = fds.get(config.serverIface);
  if (clientFd === undefined || serverFd === undefined) {
    process.stderr.write(
      `emulator: expected fds for ${config.clientIface} and ${config.serverIface} in WB_TUN_FDS\n`,
    );
    process.exit(1);
  }
  const failed = (e: Error): void => void shutdown(`TUN error: ${e.message}`);
  const { seed, dropNth } = config.link;
  const client = openTun(config.clientIface, clientFd, (p) => up?.receive(p), failed);
  const server = openTun(config.serverIface, serverFd, (p) => down?.receive(p), failed);
  tuns.push(client, server);
  up = new Direction(config.link.up, clock, server.write, { seed, stream: 0 });
  down = new Direction(config.link.down, clock, client.write, { seed, stream: 1, dropNth });
}

// Step 1b: the control channel (head-of-line drops, loss sweeps), before the ready line.
let control: Server | null = null;
if (up && down && config.controlSocket) {
  const link = { up, down };
  try {
    control = await serveControl(config.controlSocket, (request) => handleControl(link, request));
  } catch (error) {
    process.stderr.write(`emulator: control socket ${config.controlSocket}: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

// Step 2: statistics every second, and packets/s over the last second.
let last = { up: 0, down: 0, at: performance.now() };
let latest: EmulatorStats | null = null;
function collect(): EmulatorStats {
  const now = performance.now();
  const uptimeS = (now - started) / 1000;
  const dt = Math.max(1e-3, (now - last.at) / 1000);
  const u = up?.stats() ?? empty();
  const d = down?.stats() ?? empty();
  const cpu = process.cpuUsage();
  const stats: EmulatorStats = {
    pid: process.pid,
    uptimeS: round(uptimeS),
    up: { ...u, ppsLast: round((u.packetsIn - last.up) / dt), ppsMean: round(u.packetsIn / uptimeS) },
    down: { ...d, ppsLast: round((d.packetsIn - last.down) / dt), ppsMean: round(d.packetsIn / uptimeS) },
    eventLoopDelayMs: {
      // The monitor samples with a 10 ms timer; report the delay beyond that period.
      p50: round(Math.max(0, loopDelay.percentile(50) / 1e6 - 10)),
      p99: round(Math.max(0, loopDelay.percentile(99) / 1e6 - 10)),
      max: round(Math.max(0, loopDelay.max / 1e6 - 10)),
    },
    cpuPct: round(((cpu.user + cpu.system) / 1000 / (now - started)) * 100),
    writtenAt: Date.now(),
  };
  last = { up: u.packetsIn, down: d.packetsIn, at: now };
  return stats;
}
let writing = false;
const statsTimer = setInterval(() => {
  latest = collect();
  if (writing) return;
  writing = true;
  writeJson(config.statsFile, latest)
    .catch(() => {})
    .finally(() => {
      writing = false;
    });
}, 1000);

// Step 3: shutdown — final stats, close the TUN fds (the devices vanish), remove the link.
let stopping = false;
async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(statsTimer);
  up?.stop();
  down?.stop();
  control?.close();
  if (config.controlSocket) rmSync(config.controlSocket, { force: true });
  try {
    writeFileSync(config.statsFile, `${JSON.stringify({ ...(latest ?? collect()), stoppedBy: reason })}\n`);
  } catch {
    // the state directory may already be gone (down ran first)
  }
  for (const t of tuns) t.close();
  await sweep({ exceptPid: process.pid }).catch((e: Error) =>
    process.stderr.write(`emulator: ${e.message}\n`),
  );
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.once(signal, () => void shutdown(signal));
// SIGUSR2: write fresh statistics now (the controller asks before it reports `measured`).
process.on('SIGUSR2', () => {
  latest = collect();
  try {
    writeFileSync(config.statsFile, `${JSON.stringify(latest)}\n`);
  } catch {
    // state directory gone: nothing to report to
  }
});
if (config.tieToStdin) {
  process.stdin.on('end', () => void shutdown('owner gone (stdin closed)'));
  process.stdin.on('error', () => void shutdown('owner gone (stdin error)'));
  process.stdin.resume();
}

// Step 4: tell the controller we are ready.
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid, tuns: tuns.map((t) => t.name) })}\n`);

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function empty(): DirectionStats {
  return new Direction(CLEAN_DIRECTION, clock, () => {}, { seed: 0, stream: 0 }).stats();
}
