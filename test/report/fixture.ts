import type { CompletedCell, Results } from '../../bench/results/schema.js';
import { LatencyHistogram } from '../../bench/stats/latency-histogram.js';
import { Random } from '../../services/core/index.js';

/** A results object with real (seeded) histograms: two completed cells, one skipped. */
export function fixtureResults(): Results {
  const cell = (protocol: string, transport: string, scaleMs: number, seed: number): CompletedCell => {
    const random = new Random(seed);
    const h = new LatencyHistogram();
    for (let i = 0; i < 2000; i++) h.recordNs(scaleMs * 1e6 * (0.5 + random.float() ** 4 * 10));
    return {
      scenario: 'get-small',
      protocol,
      transport,
      network: 'loopback',
      encoding: protocol === 'grpc' ? 'proto' : 'json',
      load: { model: 'closed', rate: null, connections: 1, concurrency: 1, durationS: 1, warmupS: 0 },
      state: 'completed',
      counts: { ok: 2000, errors: 0, timeouts: 0, mismatches: 0 },
      throughputRps: 1000 / scaleMs,
      latencyMs: h.summaryMs(),
      ttfbMs: h.summaryMs(),
      ttfbColdMs: h.summaryMs(),
      bytesPerOp: { requestBody: 16, responseBody: 680, requestWire: 90, responseWire: 870 },
      backendCallsPerOp: 1,
      clientEventLoopUtilization: 0.5,
      clientBound: false,
      notes: [],
      latencyHistogram: h.encode(),
    };
  };
  return {
    schema: 'wirebench.results/v1',
    run: {
      id: 'fixture',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:01:00.000Z',
      profile: 'quick',
      seed: 1,
      argv: [],
      status: 'completed',
      datasetPreset: 'medium',
    },
    environment: {
      node: 'v20',
      platform: 'linux',
      kernel: 'test',
      cpus: 2,
      cpuModel: 'test cpu',
      totalMemoryBytes: 1,
      tcpCongestionControl: 'cubic',
      packages: {},
    },
    networks: [],
    cells: [
      cell('rest', 'h1', 1, 1),
      cell('grpc', 'h2c', 2, 2),
      {
        scenario: 'get-small',
        protocol: 'quic',
        transport: '-',
        network: 'loopback',
        encoding: '-',
        load: { model: 'closed', rate: null, connections: 1, concurrency: 1, durationS: 1, warmupS: 0 },
        state: 'skipped',
        reason: 'quic: no adapter in this version',
      },
    ],
    serialization: [],
  };
}
