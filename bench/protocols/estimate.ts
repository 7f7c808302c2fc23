import { resolveNetwork, summarize } from '../../netem/index.js';
import type { TransportId } from '../../protocols/types.js';
import { type AnyScenario, isHolScenario, isPushScenario } from '../scenarios/types.js';
import { FORMATS } from '../serialization/formats.js';
import type { Profile } from './profiles.js';

/**
 * The planner's cost model: seconds of wall clock per planned cell, from the
 * scenario's kind, the (possibly scaled) profile and the network's configured
 * link. It is deliberately a worst case (closed-loop cells that hit
 * `maxDurationFactor`, every cold/resumed/handshake sample paid in full), so
 * a run planned to fit its budget does; the constants below were calibrated
 * on the 2-core VM (README, "Run budgets") and are kept conservative.
 */
export interface LinkCost {
  /** Configured round trip (s); 0 on loopback. */
  readonly rttS: number;
  /** Configured bottleneck rate (Mbit/s); null = unlimited. */
  readonly rateMbit: number | null;
  readonly emulated: boolean;
}

/** What one cell's cost depends on besides the profile. */
export interface CellShape {
  readonly scenario: AnyScenario;
  readonly transport: TransportId | string;
  readonly network: string;
}

/** Fixed costs per network and per run (services start, link up and verification, serialization, reports). */
export const COSTS = {
  /** Services child process ready + close on loopback (measured 6–11 s at load 13). */
  loopbackSetupS: 10,
  /** Link up with its RTT/loss/rate verification, services in the server netns, the cell worker, teardown. */
  emulatedSetupS: 20,
  /** Per-cell fixed cost: client connect/close, wire snapshots, result IPC (measured 0.2–0.4 s at load 13). */
  cellOverheadS: 0.3,
  /** Per-cell round trips outside the measured phase (connect, snapshots, close) on an emulated link. */
  cellOverheadRtts: 6,
  /** One fresh connection's own cost besides its round trips (client setup, TLS CPU, close). */
  connectionOverheadS: 0.03,
  /** A push subscriber's CPU to connect + subscribe + close, beyond its batch's latency. */
  perSubscriberS: 0.01,
  /** One batch of 100 connecting at once: establish p99 0.1 s (websocket) – 1.2 s (quic) at load 13. */
  batchLatencyS: 0.3,
  /** Offered-load steps of the saturation sweep (bench/protocols/run-cell.ts SATURATION_FACTORS). */
  saturationSteps: 8,
  /** A head-of-line trial: fresh client, warm fetch, measured fetch (round trips + loss recovery). */
  holTrialRtts: 14,
  holTrialOverheadS: 0.4,
  /** Extra per lossy trial (retransmission timeouts). */
  holLossTrialS: 1,
  /**
   * A peak fanout's subscriber (fanout-peak: 10,000 on loopback), all-in: connect + subscribe in batches,
   * its share of the client-bound drain, close. Whole cells measured at load 8 (two other benches running),
   * minus their events' seconds: websocket 3.8 ms, socketio 5.5, sse 9.7, graphql 12, grpc 13.6, connect 22
   * (connect + subscribe alone: 2.7 ms socketio – 7.4 ms connect). 7 ms — the mean of the first four, below
   * the six's ≈ 11 — is what full's budget holds at the floors; on a busy machine the runtime guard
   * absorbs the rest (it shrinks, then skips, the cells after).
   */
  peakPerSubscriberS: 0.007,
  /** A peak fanout's audit of its deliveries and the last events' arrival (client-bound at 10,000). */
  peakDrainS: 5,
  /** h3 cells: untimed handshakes (with qlog) auditing QUIC resumption (measure-resumed.ts), besides their 2 RTT. */
  resumptionAudits: 4,
  resumptionAuditS: 0.05,
  /** Reconnect storm: backoff and recovery beyond the reconnects' own cost (quic/h3 took ~8 s for 25). */
  stormRecoveryS: 1,
  /** Results folder, reports and the summary tables. */
  reportS: 5,
} as const;

/** Round trips before the first response byte of a cold call, per transport (TCP/QUIC + TLS 1.3 + request). */
const COLD_RTTS: Record<string, number> = { h1: 2, h2c: 2, h1s: 3, h2: 3, h3: 2 };

/** Response size hints (bytes) for scenarios whose single operation is large: transfer time on slow links. */
const RESPONSE_BYTES: Record<string, number> = { 'list-large': 1_300_000, 'nested-naive': 200_000 };
const DEFAULT_RESPONSE_BYTES = 20_000;
/** One operation's own CPU time on loopback (slowest protocol, measured with the 2 cores at load 13). */
const OPERATION_CPU_S: Record<string, number> = {
  'list-large': 0.45,
  'nested-naive': 0.3,
  'stream-server': 0.12,
  'many-small': 0.1,
  'stream-client': 0.05,
  nested: 0.03,
};
const DEFAULT_OPERATION_CPU_S = 0.005;
/** Round trips of one operation beyond the first (nested-naive: 2N + N×M sequential calls). */
const EXTRA_ROUND_TRIPS: Record<string, number> = { 'nested-naive': 12 };

/** The configured link of a `--networks` item (loopback: none). */
export function linkCost(network: string): LinkCost {
  if (network === 'loopback') return { rttS: 0, rateMbit: null, emulated: false };
  const s = summarize(resolveNetwork(network));
  const rate = [s.rateMbit, s.upRateMbit].filter((r): r is number => r !== null);
  return { rttS: s.rttMs / 1000, rateMbit: rate.length > 0 ? Math.min(...rate) : null, emulated: true };
}

/** Seconds one operation of `scenario` takes on `link` by itself (round trips + transfer). */
function operationS(scenario: string, link: LinkCost): number {
  const bytes = RESPONSE_BYTES[scenario] ?? DEFAULT_RESPONSE_BYTES;
  const transfer = link.rateMbit ? (bytes * 8) / (link.rateMbit * 1e6) : 0;
  const rtts = 1 + (EXTRA_ROUND_TRIPS[scenario] ?? 0);
  return rtts * link.rttS + transfer + (OPERATION_CPU_S[scenario] ?? DEFAULT_OPERATION_CPU_S);
}

/** One fresh connection and its first answer: handshakes + one operation + overhead. */
function coldSampleS(scenario: string, transport: string, link: LinkCost): number {
  return (COLD_RTTS[transport] ?? 3) * link.rttS + operationS(scenario, link) + COSTS.connectionOverheadS;
}

/** Worst-case seconds for one cell to run (skipped cells cost nothing and never reach here). */
export function estimateCellS(cell: CellShape, profile: Profile, durationS: number, link: LinkCost): number {
  const { scenario, transport } = cell;
  const overhead = COSTS.cellOverheadS + COSTS.cellOverheadRtts * link.rttS;
  const cold = coldSampleS(scenario.name, transport, link);
  if (isHolScenario(scenario)) {
    const h = profile.hol;
    const trial = COSTS.holTrialOverheadS + COSTS.holTrialRtts * link.rttS;
    const sweep = h.sweepLossPct.length * h.sweepTrials;
    const lossy = h.dropTrials + h.sweepLossPct.filter((p) => p > 0).length * h.sweepTrials;
    return overhead + (h.baselineTrials + h.dropTrials + sweep) * trial + lossy * COSTS.holLossTrialS;
  }
  if (isPushScenario(scenario)) {
    // Fleets connect in batches of 100 (push-fleet.ts): each batch pays the handshakes once, each client its CPU.
    const fleet = (n: number): number =>
      Math.ceil(n / 100) * (cold + link.rttS + COSTS.batchLatencyS) + n * COSTS.perSubscriberS;
    const coldSubscribe = profile.coldSamples * (cold + link.rttS);
    switch (scenario.measure ?? 'delivery') {
      case 'connections':
        return overhead + fleet(profile.connections.clients) + 1 + 4 * link.rttS;
      case 'reconnect-storm': {
        const r = profile.reconnectStorm;
        return (
          overhead + 2 * fleet(r.subscribers) + COSTS.stormRecoveryS + (r.eventsBefore + r.eventsDuring) * 0.1
        );
      }
      default: {
        // A peak fanout keeps its own fleet whatever the scale (bench/scenarios/types.ts `peak`).
        if (scenario.peak) {
          const p = scenario.peak;
          return (
            overhead +
            Math.ceil(p.subscribers / 100) * link.rttS +
            p.subscribers * COSTS.peakPerSubscriberS +
            p.messages / p.ratePerS +
            COSTS.peakDrainS +
            coldSubscribe
          );
        }
        const f = profile.fanout;
        return overhead + fleet(f.subscribers) + f.messages / f.ratePerS + 0.5 + coldSubscribe;
      }
    }
  }
  // Request/response: warm-up + measured phase (closed loop: at least durationS, longer until minSamples,
  // at most durationS × factor), the in-flight operation's tail, saturation steps, then cold, resumed and
  // bare-handshake samples.
  const op = operationS(scenario.name, link);
  const measured = Math.max(
    durationS,
    Math.min(durationS * profile.maxDurationFactor, profile.minSamples * op),
  );
  const saturation = scenario.saturation
    ? profile.warmupS + 2 * profile.saturationStepS + COSTS.saturationSteps * (profile.saturationStepS + 0.2)
    : 0;
  // Bare-socket handshake probes (not on h3); h3 pays its resumption audits instead (measure-resumed.ts).
  const handshakes =
    transport === 'h3'
      ? COSTS.resumptionAudits * ((COLD_RTTS.h3 ?? 2) * link.rttS + COSTS.resumptionAuditS)
      : profile.coldSamples * ((COLD_RTTS[transport] ?? 3) * link.rttS + 0.01);
  return (
    overhead + profile.warmupS + measured + op + saturation + 2 * profile.coldSamples * cold + handshakes
  );
}

/** Bringing a network's services (and link) up and down. */
export function networkSetupS(link: LinkCost): number {
  return link.emulated ? COSTS.emulatedSetupS : COSTS.loopbackSetupS;
}

/**
 * What runs after the matrix: the serialization benchmark (encode + decode per message × format, plus
 * gzip/brotli sizes — measured 0.45 s a task, and ~5 s a format for the large message at load 13) and reports.
 */
export function tailS(profile: Profile): number {
  const s = profile.serialization;
  const perTask = Math.max(s.timeMs / 1000, 0.001 * s.minIterations);
  const large = s.messages.filter((m) => m === 'large').length * FORMATS.length * 5;
  return s.messages.length * FORMATS.length * (2 * perTask + 0.5) + large + COSTS.reportS;
}
