import { spawn } from 'node:child_process';
import type { EmulatorStats } from '../emulator/main.js';
import { NAMES, nodeArgs, PATHS } from '../names.js';
import { run } from '../run.js';

/** How hard to look at the link: probe count and pacing, TCP download length. */
export interface MeasureOptions {
  /** UDP echo probes (RTT and one-way loss). Default 300. */
  readonly probes?: number;
  /** Probe spacing. Default 2 ms, so probes never congest a rate-limited link. */
  readonly intervalMs?: number;
  /** TCP download seconds (server → client); 0 skips it. Default 3 when a rate is set. */
  readonly tcpSeconds?: number;
  /** Probe payload bytes (UDP). Default 64. */
  readonly udpBytes?: number;
  /** Time to wait for the last echoes. Default 2 × expected RTT + 500 ms. */
  readonly drainMs?: number;
  /** ICMP echoes for the RTT when `ping` exists (kernel timestamps, no userspace echo). Default 300; 0 = UDP only. */
  readonly pings?: number;
}

/** Distribution of the probes' round-trip times (ms). */
export interface RttSummary {
  /** `icmp`: ping, timed by the kernel; `udp`: the probe agents' echo (adds ~0.3 ms of process time). */
  readonly method?: 'icmp' | 'udp';
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * What self-verification measured. `rttMs`, `lossPct` and `rateMbit` are the
 * results schema's `measured` fields; `lossPct` is the server → client
 * direction, like `configured.lossPct`.
 */
export interface Measured {
  readonly rttMs: number | null;
  readonly lossPct: number | null;
  readonly upLossPct: number | null;
  /** TCP download throughput (Mbit/s of payload), when measured. */
  readonly rateMbit: number | null;
  readonly rtt: RttSummary | null;
  /** The UDP probes' RTT, kept beside the ICMP one. */
  readonly udpRtt: RttSummary | null;
  readonly probes: { sent: number; serverReceived: number; serverEchoed: number; clientReceived: number };
  readonly tcp: { bytes: number; seconds: number; mbit: number } | { error: string } | null;
  readonly emulator: EmulatorStats | null;
}

/** Quantile by nearest rank on a sorted array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function summarizeRtts(rtts: readonly number[], method?: 'icmp' | 'udp'): RttSummary | null {
  if (rtts.length === 0) return null;
  const s = [...rtts].sort((a, b) => a - b);
  const r = (n: number): number => Math.round(n * 1000) / 1000;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return {
    ...(method ? { method } : {}),
    count: s.length,
    min: r(s[0]!),
    p50: r(quantile(s, 0.5)),
    p90: r(quantile(s, 0.9)),
    p99: r(quantile(s, 0.99)),
    max: r(s[s.length - 1]!),
    mean: r(mean),
  };
}

interface AgentProcess {
  readonly lines: AsyncIterator<string>;
  readonly close: () => void;
  readonly done: Promise<void>;
}

/** Starts an agent inside a namespace; its stdout lines arrive in order. */
function startAgent(netns: string, args: string[]): AgentProcess {
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, ...nodeArgs(PATHS.agentMain, args)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const queue: string[] = [];
  const waiters: ((v: IteratorResult<string>) => void)[] = [];
  let ended = false;
  let buffered = '';
  child.stdout.on('data', (c: Buffer) => {
    buffered += c.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const w = waiters.shift();
      if (w) w({ value: line, done: false });
      else queue.push(line);
    }
  });
  const done = new Promise<void>((resolve) => {
    child.on('close', () => {
      ended = true;
      for (const w of waiters.splice(0)) w({ value: undefined, done: true });
      resolve();
    });
  });
  const lines: AsyncIterator<string> = {
    next: () => {
      const line = queue.shift();
      if (line !== undefined) return Promise.resolve({ value: line, done: false });
      if (ended)
        return Promise.reject(new Error(`probe agent in ${netns} exited: ${stderr.trim().slice(-300)}`));
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
  return { lines, close: () => child.stdin.end(), done };
}

async function nextJson<T>(lines: AsyncIterator<string>, what: string): Promise<T> {
  const r = await lines.next();
  if (r.done) throw new Error(`probe agent: expected ${what}, got end of output`);
  return JSON.parse(r.value) as T;
}

/**
 * RTTs from `ping` inside the client namespace (the server's kernel answers,
 * both ends timestamp in the kernel), or null when ping is not installed.
 */
async function pingRtts(count: number, intervalMs: number, timeoutS: number): Promise<number[] | null> {
  const r = await run(
    'ip',
    [
      'netns',
      'exec',
      NAMES.clientNetns,
      'ping',
      '-n',
      '-c',
      String(count),
      '-i',
      String(intervalMs / 1000),
      '-W',
      String(timeoutS),
      NAMES.serverAddr,
    ],
    { timeoutMs: count * intervalMs + timeoutS * 1000 + 5000 },
  );
  if (r.code === 127 || !/ bytes from /.test(r.stdout)) return null;
  return [...r.stdout.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
}

/**
 * Measures the link between the namespaces as a client sees it: ICMP echo
 * for the RTT (when ping exists), UDP echo probes (loss per direction, from
 * what the server received and the client got back; RTT otherwise) and,
 * when asked, a TCP download.
 */
export async function measureLink(
  expected: { rttMs: number; rateMbit: number | null },
  options: MeasureOptions = {},
): Promise<Omit<Measured, 'emulator'>> {
  const probes = options.probes ?? 300;
  const intervalMs = options.intervalMs ?? 2;
  const tcpSeconds = options.tcpSeconds ?? (expected.rateMbit === null ? 0 : 3);
  const drainMs = options.drainMs ?? Math.round(2 * expected.rttMs + 500);
  const pings = options.pings ?? 300;
  const icmp =
    pings > 0 ? await pingRtts(pings, Math.max(2, intervalMs), Math.ceil((drainMs + 1000) / 1000)) : null;
  const server = startAgent(NAMES.serverNetns, ['--role', 'server']);
  try {
    const ports = await nextJson<{ udpPort: number; tcpPort: number }>(server.lines, 'the ready line');
    const client = startAgent(NAMES.clientNetns, [
      '--role',
      'client',
      '--server',
      NAMES.serverAddr,
      '--udp-port',
      String(ports.udpPort),
      '--tcp-port',
      String(ports.tcpPort),
      '--probes',
      String(probes),
      '--interval-ms',
      String(intervalMs),
      '--drain-ms',
      String(drainMs),
      '--tcp-seconds',
      String(tcpSeconds),
      '--udp-bytes',
      String(options.udpBytes ?? 64),
    ]);
    const result = await nextJson<{
      sent: number;
      received: number;
      rttsMs: number[];
      tcp: Measured['tcp'];
    }>(client.lines, 'the client result');
    await client.done;
    server.close();
    const counts = await nextJson<{ received: number; echoed: number }>(server.lines, 'the server counts');
    const udpRtt = summarizeRtts(result.rttsMs, 'udp');
    const rtt = icmp && icmp.length > 0 ? summarizeRtts(icmp, 'icmp') : udpRtt;
    const pct = (lost: number, of: number): number | null =>
      of === 0 ? null : Math.round((lost / of) * 100 * 1000) / 1000;
    return {
      rttMs: rtt?.p50 ?? null,
      lossPct: pct(counts.echoed - result.received, counts.echoed),
      upLossPct: pct(result.sent - counts.received, result.sent),
      rateMbit: result.tcp && 'mbit' in result.tcp ? Math.round(result.tcp.mbit * 100) / 100 : null,
      rtt,
      udpRtt,
      probes: {
        sent: result.sent,
        serverReceived: counts.received,
        serverEchoed: counts.echoed,
        clientReceived: result.received,
      },
      tcp: result.tcp,
    };
  } finally {
    server.close();
    await server.done;
  }
}
