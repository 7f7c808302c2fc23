import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import type { ClientOptions, ProtocolClient } from '../../clients/types.js';
import { watchHttp3Connects } from '../../lib/http3/setup-channel.js';
import { findProtocol, findVariant } from '../../protocols/registry.js';
import { alpnOf, type EncodingId, type TransportId } from '../../protocols/types.js';
import { type FeedCore, Random } from '../../services/core/index.js';
import { runSaturation } from '../load/saturation.js';
import type { Cell, LoadSpec } from '../results/schema.js';
import { isHolScenario, isPushScenario, type Scenario } from '../scenarios/types.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import { BodyMeter } from '../wire/body-size.js';
import { probeHandshakes } from '../wire/handshake-probe.js';
import { snapshotWire, type WireSnapshot, wireBetween } from '../wire/meter.js';
import { measure } from './measure.js';
import { measureResumed } from './measure-resumed.js';
import type { CellPlan } from './plan.js';
import type { Profile } from './profiles.js';
import { runConnectionsCell } from './run-connections-cell.js';
import { runHolCell } from './run-hol-cell.js';
import { runPushCell } from './run-push-cell.js';
import { runReconnectStormCell } from './run-reconnect-storm-cell.js';
import type { ServicesControl } from './services-process.js';

/** Each push scenario's measurement, by what it measures. */
const PUSH_RUNNERS = {
  delivery: runPushCell,
  connections: runConnectionsCell,
  'reconnect-storm': runReconnectStormCell,
} as const;

export interface CellRunOptions {
  readonly url: string;
  readonly caPem: string | undefined;
  readonly oracle: FeedCore;
  readonly profile: Profile;
  readonly load: LoadSpec;
  readonly seed: number;
  /** The services' backend-call counter, read around the measured phase; absent when not available. */
  readonly backendCalls?: () => Promise<number>;
  /** The services' control channel (memory, live connections, mass drop) for the push scenarios that need it. */
  readonly services?: ServicesControl;
  readonly signal: AbortSignal;
}

const TIMEOUT_MS = 30_000;
/** Above this event-loop utilization the harness itself is the bottleneck. */
const CLIENT_BOUND_ELU = 0.9;
/** Offered load per saturation step, as fractions of the measured capacity. */
const SATURATION_FACTORS = [0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5];

/**
 * Runs one cell: warm connections, warm-up, measured closed-loop phase with a
 * kernel wire-byte snapshot on each side of it, then cold-connection TTFB on
 * fresh clients. Any exception becomes a `failed` cell with its reason; the
 * run goes on.
 */
export async function runCell(
  plan: Extract<CellPlan, { kind: 'run' }>,
  options: CellRunOptions,
): Promise<Cell> {
  const scenario = plan.scenario;
  if (isPushScenario(scenario)) return PUSH_RUNNERS[scenario.measure ?? 'delivery'](plan, scenario, options);
  if (isHolScenario(scenario)) return runHolCell(plan, scenario, options);
  const key = {
    scenario: scenario.name,
    protocol: plan.protocol,
    transport: plan.transport,
    network: plan.network,
    encoding: plan.encoding,
    ...(plan.variant ? { variant: plan.variant } : {}),
  };
  // A scenario may need a load shape of its own (e.g. many streams on one connection).
  const override = scenario.load?.(plan.transport) ?? {};
  const load: LoadSpec = { ...options.load, ...override };
  const entry = findProtocol(plan.protocol);
  if (!entry)
    return { ...key, load, state: 'skipped', reason: `${plan.protocol}: no adapter in this version` };
  const makeClient = (extra: Partial<ClientOptions> = {}): ProtocolClient =>
    entry.createClient({
      url: options.url,
      transport: plan.transport,
      encoding: plan.encoding,
      connections: load.connections,
      ...findVariant(entry, plan.variant)?.options,
      ...(options.caPem ? { caPem: options.caPem } : {}),
      ...extra,
    });
  const port = Number(new URL(options.url).port);
  const client = makeClient();
  try {
    await client.connect();
    const bodies = new BodyMeter();
    const op = scenario.operation({
      client,
      oracle: options.oracle,
      random: new Random(options.seed),
      encoding: plan.encoding,
      bodies,
    });
    let before: WireSnapshot | undefined;
    let eluStart: EventLoopUtilization | undefined;
    let backendBefore: number | undefined;
    const measured = await measure(op, {
      load,
      minSamples: options.profile.minSamples,
      maxDurationFactor: options.profile.maxDurationFactor,
      timeoutMs: TIMEOUT_MS,
      seed: options.seed,
      signal: options.signal,
      beforeMeasure: async () => {
        before = await snapshotWire(client, plan.transport, port);
        backendBefore = await options.backendCalls?.();
        eluStart = performance.eventLoopUtilization();
      },
    });
    const elu = performance.eventLoopUtilization(eluStart).utilization;
    const after = await snapshotWire(client, plan.transport, port);
    const backendAfter = backendBefore === undefined ? undefined : await options.backendCalls?.();
    const { counts } = measured;
    if (counts.ok === 0) {
      return {
        ...key,
        load,
        state: 'failed',
        reason: measured.firstFailure ?? 'no operation completed',
        counts,
      };
    }
    const notes: string[] = [];
    if (counts.errors + counts.timeouts + counts.mismatches > 0)
      notes.push(`first failure: ${measured.firstFailure}`);
    const completedOps = counts.ok + counts.mismatches;
    let requestWire: number | null = null;
    let responseWire: number | null = null;
    const wire = before
      ? wireBetween(before, after)
      : { unavailable: 'wire bytes unavailable: not measured' };
    if ('unavailable' in wire) notes.push(wire.unavailable);
    else {
      requestWire = wire.bytesSent / completedOps;
      responseWire = wire.bytesReceived / completedOps;
      if (wire.source === 'client')
        notes.push(`wire bytes: the client's own counters (${plan.transport} is not TCP: UDP payload)`);
    }
    const saturation = scenario.saturation
      ? await runSaturation(op, {
          factors: SATURATION_FACTORS,
          stepMs: options.profile.saturationStepS * 1000,
          warmupMs: options.profile.warmupS * 1000,
          probeConcurrency: Math.max(16, load.concurrency),
          maxInFlight: 512,
          timeoutMs: TIMEOUT_MS,
          seed: options.seed,
          signal: options.signal,
        })
      : undefined;
    const cold = await measureCold(makeClient, scenario, plan.encoding, plan.transport, options, port);
    const resumed = await measureResumed(makeClient, scenario, {
      ...plan,
      oracle: options.oracle,
      seed: options.seed,
      samples: options.profile.coldSamples,
      timeoutMs: TIMEOUT_MS,
      signal: options.signal,
    });
    const phases =
      plan.transport === 'h3'
        ? undefined
        : await probeHandshakes(options.url, {
            samples: options.profile.coldSamples,
            alpn: alpnOf(plan.transport),
            caPem: options.caPem,
            signal: options.signal,
          });
    if (elu > CLIENT_BOUND_ELU) {
      notes.push(`client-bound: the load generator's event loop was ${(elu * 100).toFixed(0)}% busy`);
    }
    return {
      ...key,
      load,
      state: 'completed',
      counts,
      throughputRps: completedOps / (measured.elapsedNs / 1e9),
      latencyMs: measured.latency.summaryMs(),
      ...(measured.latencyUncorrected
        ? { latencyUncorrectedMs: measured.latencyUncorrected.summaryMs() }
        : {}),
      ...(measured.pacing ? { pacing: measured.pacing } : {}),
      ttfbMs: measured.ttfb.summaryMs(),
      ttfbColdMs: cold.ttfb.summaryMs(),
      ...(resumed.ttfb ? { ttfbResumedMs: resumed.ttfb.summaryMs() } : {}),
      resumption: resumed.resumption,
      ...(cold.wire ? { bytesColdOp: cold.wire } : {}),
      ...(saturation ? { saturation } : {}),
      ...(phases
        ? {
            connectPhasesMs: {
              tcp: phases.tcp.summaryMs(),
              ...(phases.tls.count > 0 ? { tls: phases.tls.summaryMs() } : {}),
            },
          }
        : {}),
      ...(cold.http3Phases
        ? {
            connectPhasesMs: {
              setup: cold.http3Phases.setup.summaryMs(),
              quic: cold.http3Phases.quic.summaryMs(),
            },
          }
        : {}),
      clientEventLoopUtilization: elu,
      clientBound: elu > CLIENT_BOUND_ELU,
      bytesPerOp: { ...bodies.perOp(), requestWire, responseWire },
      backendCallsPerOp:
        backendBefore === undefined || backendAfter === undefined
          ? null
          : (backendAfter - backendBefore) / completedOps,
      notes,
      latencyHistogram: measured.latency.encode(),
      ttfbHistogram: measured.ttfb.encode(),
      ttfbColdHistogram: cold.ttfb.encode(),
    };
  } catch (error) {
    return { ...key, load, state: 'failed', reason: (error as Error).message ?? String(error) };
  } finally {
    await client.close().catch(() => {});
  }
}

/**
 * Cold TTFB: from the start of connection establishment (TCP + TLS, no DNS:
 * URLs are literal addresses) to the first response byte, each sample on a
 * brand-new client. The kernel counters of that new connection give the cold
 * operation's wire bytes (handshakes included), kept apart from warm figures.
 */
async function measureCold(
  makeClient: () => ProtocolClient,
  scenario: Scenario,
  encoding: EncodingId,
  transport: TransportId,
  options: CellRunOptions,
  port: number,
): Promise<ColdSamples> {
  const histogram = new LatencyHistogram();
  const setup = new LatencyHistogram();
  const quic = new LatencyHistogram();
  let sent = 0;
  let received = 0;
  let wireSamples = 0;
  let tcpBaseline: WireSnapshot | undefined;
  for (let i = 0; i < options.profile.coldSamples && !options.signal.aborted; i++) {
    const client = makeClient();
    try {
      const op = scenario.operation({
        client,
        oracle: options.oracle,
        random: new Random(options.seed + i),
        encoding,
        bodies: new BodyMeter(),
      });
      // tcp_info: one snapshot before the first sample serves them all (each closed client's
      // connection is gone by the next; only connections new since then are a sample's own);
      // a client's own counters are read from each new client.
      const before: WireSnapshot = tcpBaseline ?? (await snapshotWire(client, transport, port));
      if (before.source === 'tcp_info') tcpBaseline = before;
      // No connect(): the first call opens the connection lazily, as a real client's first request does.
      const watch = watchHttp3Connects();
      const t0 = process.hrtime.bigint();
      const result = await op(AbortSignal.timeout(TIMEOUT_MS)).finally(() => watch.stop());
      const after = await snapshotWire(client, transport, port);
      const outcome = await result.settle();
      if (outcome.kind !== 'ok') throw new Error(`cold call: ${outcome.kind}: ${outcome.reason}`);
      // HTTP/3: the library's local setup before the first packet is reported apart, not as TTFB (see lib/http3/setup-channel.ts).
      let setupNs = 0n;
      for (const p of watch.phases) {
        setupNs += p.handshakeStartNs - p.callNs;
        setup.recordNs(p.handshakeStartNs - p.callNs);
        quic.recordNs(p.readyNs - p.handshakeStartNs);
      }
      if (result.firstByteNs !== undefined) histogram.recordNs(result.firstByteNs - t0 - setupNs);
      // Only this client's own bytes: its new connections (tcp_info) or its own counters.
      const wire = wireBetween(before, after, true);
      if (!('unavailable' in wire)) {
        sent += wire.bytesSent;
        received += wire.bytesReceived;
        wireSamples++;
      }
    } finally {
      await client.close().catch(() => {});
    }
  }
  return {
    ttfb: histogram,
    wire:
      wireSamples > 0 ? { requestWire: sent / wireSamples, responseWire: received / wireSamples } : undefined,
    ...(quic.count > 0 ? { http3Phases: { setup, quic } } : {}),
  };
}

interface ColdSamples {
  readonly ttfb: LatencyHistogram;
  readonly wire: { requestWire: number; responseWire: number } | undefined;
  /** HTTP/3 cells: the client library's local setup and the QUIC + TLS handshake of each cold connection. */
  readonly http3Phases?: { readonly setup: LatencyHistogram; readonly quic: LatencyHistogram };
}
