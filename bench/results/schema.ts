import type { SaturationResult } from '../load/saturation.js';
import type { PercentilesMs } from '../stats/latency-histogram.js';
import type { HolBlock } from './hol-schema.js';
import type { ConnectionsRecord, ReconnectStormRecord } from './push-schema.js';
import type { Resumption } from './resumption-schema.js';

/**
 * results.json, schema `wirebench.results/v1` (shared/CONTRACT.md). Reports,
 * CSV and charts are views generated from this; nothing else is the record.
 */
export const RESULTS_SCHEMA = 'wirebench.results/v1';

export type CellState = 'completed' | 'failed' | 'skipped';

export interface LoadSpec {
  readonly model: 'open' | 'closed';
  /** Target arrivals per second (open loop); null for closed loop. */
  readonly rate: number | null;
  /** Open loop: the arrival process. */
  readonly arrival?: 'constant' | 'poisson';
  readonly connections: number;
  readonly concurrency: number;
  readonly durationS: number;
  readonly warmupS: number;
}

export interface Counts {
  ok: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  /** Push cells: events the subscriber reported gone (a gap), e.g. datagrams lost; absent elsewhere. */
  lost?: number;
}

/** Bytes per completed operation. Wire = TCP payload (TLS records included); null when not measurable here. */
export interface BytesPerOp {
  readonly requestBody: number;
  readonly responseBody: number;
  readonly requestWire: number | null;
  readonly responseWire: number | null;
}

export interface CellKey {
  readonly scenario: string;
  readonly protocol: string;
  readonly transport: string;
  readonly network: string;
  readonly encoding: string;
  /** The protocol's client variant (e.g. GraphQL `no-dataloader`), when it has several. */
  readonly variant?: string;
}

interface CellBase extends CellKey {
  readonly load: LoadSpec;
}

export interface CompletedCell extends CellBase {
  readonly state: 'completed';
  readonly counts: Counts;
  readonly throughputRps: number;
  /** Open loop: from the intended send time (coordinated-omission corrected); closed loop: from the actual send. */
  readonly latencyMs: PercentilesMs;
  /** Open loop only: from the actual send, as a naive tool would report it. */
  readonly latencyUncorrectedMs?: PercentilesMs;
  /** Open loop only: did the generator keep the schedule? */
  readonly pacing?: { offeredRate: number; achievedRate: number; lateSends: number; droppedSends: number };
  readonly ttfbMs: PercentilesMs;
  readonly ttfbColdMs: PercentilesMs;
  /** Like ttfbColdMs, on a fresh client offering an earlier client's TLS session (resumed handshakes only). */
  readonly ttfbResumedMs?: PercentilesMs;
  /** TLS session resumption on this cell: done, declined, unsupported by the client's stack, or cleartext. */
  readonly resumption?: Resumption;
  /**
   * Phases of a cold connection, to decompose cold TTFB. TCP transports: a
   * bare-socket probe of the same endpoint (`tcp` handshake; `tls` for
   * https). HTTP/3: the cold clients' own connections — `quic` is the QUIC +
   * TLS handshake, `setup` the client library's local work before its first
   * packet (@currentspace/http3 builds a native worker per connection), which
   * ttfbColdMs leaves out as it leaves out DNS (lib/http3/setup-channel.ts).
   */
  readonly connectPhasesMs?: {
    readonly tcp?: PercentilesMs;
    readonly tls?: PercentilesMs;
    readonly quic?: PercentilesMs;
    readonly setup?: PercentilesMs;
  };
  /**
   * Event-loop utilization of the load generator during the measured phase (0–1). Near 1 the
   * harness, not the server, limited throughput: `clientBound` is then true and the figure is a floor.
   */
  readonly clientEventLoopUtilization: number;
  readonly clientBound: boolean;
  readonly bytesPerOp: BytesPerOp;
  /** Latency against offered load (open-loop steps), the knee, and Little's law per step. */
  readonly saturation?: SaturationResult;
  /** Wire bytes of one operation on a brand-new connection (TCP/TLS/HTTP handshakes included). */
  readonly bytesColdOp?: { readonly requestWire: number; readonly responseWire: number };
  /** Backend calls per operation on the server (N+1 vs batching); null when the server did not say. */
  readonly backendCallsPerOp: number | null;
  /** Why a figure is missing or how to read it (e.g. "wire bytes unavailable: ss not found"). */
  readonly notes: readonly string[];
  /** HdrHistogram compressed base64 of latency in ns, for re-analysis and merging. */
  readonly latencyHistogram: string;
  /** The head-of-line experiment (scenario `hol`): single-drop delays per object and the loss sweep. */
  readonly hol?: HolBlock;
  /** The `connections` push scenario: connections held, memory per connection. */
  readonly connections?: ConnectionsRecord;
  /** The `reconnect-storm` push scenario: recovery after every connection was cut. */
  readonly reconnectStorm?: ReconnectStormRecord;
  /** The same for warm TTFB and cold TTFB (the report's significance marks resample them). */
  readonly ttfbHistogram?: string;
  readonly ttfbColdHistogram?: string;
}

export interface FailedCell extends CellBase {
  readonly state: 'failed';
  readonly reason: string;
  readonly counts?: Counts;
}

export interface SkippedCell extends CellBase {
  readonly state: 'skipped';
  readonly reason: string;
}

export type Cell = CompletedCell | FailedCell | SkippedCell;

export interface NetworkRecord {
  readonly name: string;
  readonly emulation: 'none' | 'tc-netem' | 'userspace';
  readonly configured: { delayMs: number; jitterMs: number; lossPct: number; rateMbit: number | null };
  readonly measured: { rttMs: number | null; lossPct: number | null; rateMbit: number | null };
}

export interface SerializationRecord {
  readonly message: string;
  readonly format: 'json' | 'proto' | 'proto-json' | 'graphql';
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly brotliBytes: number;
  /** Mean ns per operation (tinybench); the bench:serialization output adds p50/p99, rme and samples. */
  readonly encodeNs: number;
  readonly decodeNs: number;
}

export interface EnvironmentRecord {
  readonly node: string;
  readonly platform: string;
  readonly kernel: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly totalMemoryBytes: number;
  readonly tcpCongestionControl: string | null;
  readonly packages: Record<string, string>;
}

export interface RunRecord {
  readonly id: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly profile: string;
  readonly seed: number;
  readonly argv: readonly string[];
  /** `aborted` when Ctrl-C cut the run short; the cells present are still valid. */
  readonly status: 'completed' | 'aborted';
  readonly datasetPreset: string;
  /** The wall-clock budget and how the plan was scaled to keep it; absent with --budget off. */
  readonly budget?: RunBudget;
}

/**
 * How a run kept its profile's wall-clock budget (bench/protocols/budget.ts):
 * the estimate, the scale the profile's timings (warm-up, duration, samples,
 * trials, events) and push fleets were multiplied by (1 = as written, floors apply),
 * what the runtime guard did, and the time the matrix actually took. Each
 * cell's own `load` shows the durations it ran with.
 */
export interface RunBudget {
  readonly budgetS: number;
  /** The plan's estimate at the profile as written, and at the scale it started with. */
  readonly unscaledEstimateS: number;
  readonly estimateS: number;
  /** The planned scale (1 = the profile as written), and the lowest the runtime guard went to. */
  readonly scale: number;
  readonly finalScale: number;
  /** Cells run below the planned scale, and cells skipped because the budget ran out. */
  readonly rescaledCells: number;
  readonly skippedCells: number;
  /** Seconds from the process start to the end of the serialization benchmark (reports follow). */
  readonly elapsedS: number;
  /** --duration given: the measured seconds per cell were not scaled. */
  readonly durationFixed: boolean;
}

export interface Results {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly run: RunRecord;
  readonly environment: EnvironmentRecord;
  readonly networks: readonly NetworkRecord[];
  readonly cells: readonly Cell[];
  readonly serialization: readonly SerializationRecord[];
}
