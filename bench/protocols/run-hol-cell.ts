import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ProtocolClient } from '../../clients/types.js';
import {
  type DropRecord,
  type DropRule,
  type EmulatorControl,
  openEmulatorControl,
  summarize,
} from '../../netem/index.js';
import { readState } from '../../netem/state.js';
import { findProtocol } from '../../protocols/registry.js';
import { isMultiplexed, type TransportId } from '../../protocols/types.js';
import type { HolBlock, HolSweepPoint } from '../results/hol-schema.js';
import type { Cell, Counts, LoadSpec } from '../results/schema.js';
import { fetchObjects, type HolFetch, type HolObject, holObjects } from '../scenarios/hol.js';
import type { HolScenario } from '../scenarios/types.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import {
  type CompleteTrial,
  complete,
  deterministicFigures,
  sweepPoint,
  type TrialOutcome,
} from './hol-figures.js';
import type { CellPlan } from './plan.js';
import type { CellRunOptions } from './run-cell.js';

/** Transports that run over UDP (QUIC): the drop rule counts datagrams instead of TCP segments. */
const UDP_TRANSPORTS: readonly TransportId[] = ['h3'];
/** One trial (connect, warm-up fetch, measured fetch) never takes longer than this. */
const TRIAL_TIMEOUT_MS = 120_000;

/**
 * Runs the head-of-line experiment for one protocol × transport on the
 * emulated link this process sits behind (the cell worker in the client
 * namespace). Every trial uses a fresh client: connect, fetch the M objects
 * once to open the congestion window (the comparison is about blocking, not
 * slow start), then impair the link through the emulator's control channel
 * and fetch them again, measured:
 *
 * 1. deterministic: no-drop baselines interleaved with trials in which the
 *    emulator drops exactly one chosen server→client packet (the k-th
 *    full-size one after arming, across all connections); each object's
 *    delay is its completion minus its own baseline median;
 * 2. sweep: seeded random loss at each rate, per-object p50/p95/max pooled
 *    over trials and the batch's total, with 95% bootstrap intervals.
 */
export async function runHolCell(
  plan: Extract<CellPlan, { kind: 'run' }>,
  scenario: HolScenario,
  options: CellRunOptions,
): Promise<Cell> {
  const key = {
    scenario: scenario.name,
    protocol: plan.protocol,
    transport: plan.transport,
    network: plan.network,
    encoding: plan.encoding,
  };
  const connections = isMultiplexed(plan.transport) ? 1 : scenario.h1Connections;
  const settings = options.profile.hol;
  const load: LoadSpec = {
    model: 'closed',
    rate: null,
    connections,
    concurrency: scenario.objects,
    durationS: 0,
    warmupS: 0,
  };
  const entry = findProtocol(plan.protocol);
  if (!entry)
    return { ...key, load, state: 'skipped', reason: `${plan.protocol}: no adapter in this version` };

  // 1. The link: only the userspace emulator can drop one chosen packet.
  const link = await readState();
  if (!link) return { ...key, load, state: 'skipped', reason: 'hol: needs an emulated link' };
  if (link.mode !== 'userspace') {
    return {
      ...key,
      load,
      state: 'skipped',
      reason: `hol: needs the userspace emulator (--netem userspace) to drop a chosen packet; the link is ${link.mode}`,
    };
  }
  const rttMs = summarize(link.config).rttMs;
  const thresholdMs = scenario.delayedThresholdRtt * rttMs;
  let control: EmulatorControl;
  try {
    control = await openEmulatorControl();
  } catch (error) {
    return { ...key, load, state: 'failed', reason: `hol: ${(error as Error).message}` };
  }
  const eluStart = performance.eventLoopUtilization();
  const counts: Counts = { ok: 0, errors: 0, timeouts: 0, mismatches: 0 };
  let firstFailure: string | undefined;
  const cold = new LatencyHistogram();
  try {
    const objects = await holObjects(scenario, options.oracle, scenario.postsPerObject);
    const sweepObjects = await holObjects(scenario, options.oracle, scenario.sweepPostsPerObject);
    const rule: DropRule = {
      proto: UDP_TRANSPORTS.includes(plan.transport) ? 'udp' : 'tcp',
      serverPort: Number(new URL(options.url).port),
      afterBytes: scenario.dropAfterBytes,
      minPayloadBytes: scenario.minPayloadBytes,
    };
    const makeClient = (): ProtocolClient =>
      entry.createClient({
        url: options.url,
        transport: plan.transport,
        encoding: plan.encoding,
        connections,
        ...(options.caPem ? { caPem: options.caPem } : {}),
      });

    /** One trial; `impair` runs between the warm-up and the measured fetch, `restore` right after it. */
    const trial = async <T>(
      objects: readonly HolObject[],
      impair: () => Promise<T>,
      restore: (t: T) => Promise<void>,
    ) => {
      const signal = AbortSignal.any([options.signal, AbortSignal.timeout(TRIAL_TIMEOUT_MS)]);
      // Every object's call listens on it: one listener per object, plus the client's own.
      setMaxListeners(objects.length * 2 + 16, signal);
      const client = makeClient();
      try {
        const c0 = process.hrtime.bigint();
        await client.connect();
        const connectNs = process.hrtime.bigint() - c0;
        cold.recordNs(connectNs);
        const warm = await fetchObjects(client, objects, signal);
        const warmFailure = warm.find((f) => !f.ok);
        if (warmFailure && !warmFailure.ok) throw new Error(`warm-up fetch: ${warmFailure.reason}`);
        const token = await impair();
        let fetched: HolFetch[];
        try {
          fetched = await fetchObjects(client, objects, signal);
        } finally {
          await restore(token);
        }
        return { outcome: account(fetched, Number(connectNs) / 1e6), token };
      } finally {
        await client.close().catch(() => {});
      }
    };
    const account = (fetched: HolFetch[], connectMs: number): TrialOutcome => {
      for (const f of fetched) {
        if (f.ok) counts.ok++;
        else {
          if (f.kind === 'mismatch') counts.mismatches++;
          else counts.errors++;
          firstFailure ??= f.reason;
        }
      }
      return {
        completionMs: fetched.map((f) => (f.ok ? f.completedMs : null)),
        firstByteMs: fetched.map((f) => (f.ok ? f.firstByteMs : null)),
        connectMs,
      };
    };

    // 2. Deterministic: baselines and single-drop trials, interleaved so drift hits both alike.
    const baselines: TrialOutcome[] = [];
    const drops: { outcome: TrialOutcome; drop: DropRecord | null }[] = [];
    const noImpairment = async (): Promise<void> => {};
    for (let i = 0; i < Math.max(settings.baselineTrials, settings.dropTrials); i++) {
      if (options.signal.aborted) break;
      if (i < settings.baselineTrials)
        baselines.push((await trial(objects, noImpairment, noImpairment)).outcome);
      if (i < settings.dropTrials) {
        const { outcome, token: armId } = await trial(
          objects,
          () => control.arm(rule),
          async () => {
            await control.disarm();
          },
        );
        const [drop] = await control.drops(armId);
        drops.push({ outcome, drop: drop?.armId === armId ? drop : null });
      }
    }

    // 3. The sweep: seeded random loss in both directions during the measured fetch only.
    const sweep: HolSweepPoint[] = [];
    for (const [p, lossPct] of settings.sweepLossPct.entries()) {
      const outcomes: { outcome: TrialOutcome; lost: number }[] = [];
      for (let i = 0; i < settings.sweepTrials && !options.signal.aborted; i++) {
        const seed = options.seed * 10_000 + p * 100 + i;
        const { outcome, token: lost } = await trial(
          sweepObjects,
          async () => {
            await control.setLoss(`${lossPct}%`, seed);
            return await control.counters();
          },
          async () => {
            await control.setLoss(null, seed);
          },
        );
        const after = await control.counters();
        const dropped =
          after.dropsRandom.up + after.dropsRandom.down - lost.dropsRandom.up - lost.dropsRandom.down;
        outcomes.push({ outcome, lost: dropped });
      }
      const point = sweepPoint(
        lossPct,
        outcomes.map((o) => o.outcome),
        outcomes.reduce((s, o) => s + o.lost, 0),
        options.seed + p,
      );
      if (point) sweep.push(point);
    }

    // 4. Figures: delays against each object's own baseline; the cell's usual fields from the baselines.
    const goodBaselines = baselines.filter(complete);
    const goodDrops = drops.filter(
      (d): d is { outcome: CompleteTrial; drop: DropRecord } => complete(d.outcome) && d.drop !== null,
    );
    if (goodBaselines.length === 0 || goodDrops.length === 0) {
      return {
        ...key,
        load,
        state: 'failed',
        reason:
          firstFailure ??
          `hol: expected complete baseline and drop trials, got ${goodBaselines.length} and ${goodDrops.length} (a drop rule that never fired: k too large for the transfer?)`,
        counts,
      };
    }
    const hol: HolBlock = {
      objects: objects.length,
      objectBytes: objects.reduce((s, o) => s + o.jsonBytes, 0) / objects.length,
      sweepObjectBytes: sweepObjects.reduce((s, o) => s + o.jsonBytes, 0) / sweepObjects.length,
      connections,
      rttMs,
      thresholdMs,
      rule,
      deterministic: deterministicFigures(objects.length, goodBaselines, goodDrops, thresholdMs),
      sweep,
      seed: options.seed,
    };
    const latency = new LatencyHistogram();
    const ttfb = new LatencyHistogram();
    for (const b of goodBaselines) {
      for (const c of b.completionMs) latency.recordNs(c * 1e6);
      for (const f of b.firstByteMs) if (f !== null) ttfb.recordNs(f * 1e6);
    }
    const batchMs = goodBaselines.reduce((s, b) => s + Math.max(...b.completionMs), 0);
    const elu = performance.eventLoopUtilization(eluStart).utilization;
    const dropped = drops.length - goodDrops.length;
    return {
      ...key,
      load,
      state: 'completed',
      counts,
      throughputRps: (goodBaselines.length * objects.length) / (batchMs / 1000),
      latencyMs: latency.summaryMs(),
      ttfbMs: ttfb.summaryMs(),
      ttfbColdMs: cold.summaryMs(),
      clientEventLoopUtilization: elu,
      clientBound: elu > 0.9,
      bytesPerOp: {
        requestBody: 0,
        responseBody: hol.objectBytes,
        requestWire: null,
        responseWire: null,
      },
      backendCallsPerOp: null,
      notes: [
        `latencyMs/ttfbMs: per-object completion and first byte in the ${goodBaselines.length} no-drop baseline fetches (${objects.length} objects at once); ttfbColdMs: a fresh client's connect() (handshakes and one preconnect request per connection)`,
        'wire bytes not measured in the hol scenario',
        ...(firstFailure ? [`first failure: ${firstFailure}`] : []),
        ...(dropped > 0
          ? [`${dropped} drop trial(s) left out: an object failed or the rule never fired`]
          : []),
      ],
      latencyHistogram: latency.encode(),
      hol,
    };
  } catch (error) {
    return {
      ...key,
      load,
      state: 'failed',
      reason: (error as Error).message ?? String(error),
      ...(counts.ok + counts.errors + counts.mismatches > 0 ? { counts } : {}),
    };
  } finally {
    control.close();
  }
}
