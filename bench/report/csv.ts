import type { Results } from '../results/schema.js';

const COLUMNS = [
  'scenario',
  'protocol',
  'transport',
  'network',
  'encoding',
  'variant',
  'state',
  'reason',
  'model',
  'connections',
  'concurrency',
  'ok',
  'errors',
  'timeouts',
  'mismatches',
  'throughput_rps',
  'latency_p50_ms',
  'latency_p90_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'latency_p999_ms',
  'latency_max_ms',
  'latency_mean_ms',
  'ttfb_p50_ms',
  'ttfb_p99_ms',
  'ttfb_cold_p50_ms',
  'ttfb_cold_p99_ms',
  'request_body_bytes',
  'response_body_bytes',
  'request_wire_bytes',
  'response_wire_bytes',
  'ttfb_resumed_p50_ms',
  'resumption',
  'connections_held',
  'server_rss_bytes_per_connection',
  'server_heap_bytes_per_connection',
  'storm_recovery_p95_ms',
  'storm_lost',
  'storm_duplicates',
] as const;

function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** results.csv: one row per cell, flat columns for spreadsheets and pandas (RFC 4180 quoting). */
export function renderCsv(results: Results): string {
  const rows = [COLUMNS.join(',')];
  for (const c of results.cells) {
    const done = c.state === 'completed' ? c : undefined;
    const counts = c.state === 'skipped' ? undefined : c.counts;
    const values = [
      c.scenario,
      c.protocol,
      c.transport,
      c.network,
      c.encoding,
      c.variant,
      c.state,
      c.state === 'completed' ? '' : c.reason,
      c.load.model,
      c.load.connections,
      c.load.concurrency,
      counts?.ok,
      counts?.errors,
      counts?.timeouts,
      counts?.mismatches,
      done?.throughputRps,
      done?.latencyMs.p50,
      done?.latencyMs.p90,
      done?.latencyMs.p95,
      done?.latencyMs.p99,
      done?.latencyMs.p999,
      done?.latencyMs.max,
      done?.latencyMs.mean,
      done?.ttfbMs.p50,
      done?.ttfbMs.p99,
      done?.ttfbColdMs.p50,
      done?.ttfbColdMs.p99,
      done?.bytesPerOp.requestBody,
      done?.bytesPerOp.responseBody,
      done?.bytesPerOp.requestWire,
      done?.bytesPerOp.responseWire,
      done?.ttfbResumedMs?.p50,
      done?.resumption?.state,
      done?.connections?.held,
      done?.connections?.rssBytesPerConnection,
      done?.connections?.heapBytesPerConnection,
      done?.reconnectStorm?.recoveryMs.p95,
      done?.reconnectStorm?.lost,
      done?.reconnectStorm?.duplicates,
    ];
    rows.push(values.map(field).join(','));
  }
  return `${rows.join('\n')}\n`;
}
