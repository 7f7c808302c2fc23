import test from 'ava';
import { renderCsv } from '../../bench/report/csv.js';
import { renderMarkdown } from '../../bench/report/markdown.js';
import type { CompletedCell, Results } from '../../bench/results/schema.js';
import { fixtureResults } from './fixture.js';

const percentiles = {
  p50: 400,
  p90: 500,
  p95: 520,
  p99: 540,
  p999: 550,
  max: 550,
  mean: 420,
  min: 260,
  count: 50,
};

/** The fixture plus one cell of each push measurement and a resumed TLS cell. */
function withSections(): Results {
  const base = fixtureResults();
  const [rest] = base.cells.filter((c): c is CompletedCell => c.state === 'completed');
  if (!rest) throw new Error('fixture: expected a completed cell');
  const resumed: CompletedCell = {
    ...rest,
    transport: 'h2',
    ttfbResumedMs: { ...rest.ttfbColdMs, p50: 1.25 },
    resumption: { state: 'resumed', samples: 3, resumed: 3 },
  };
  const unsupported: CompletedCell = {
    ...rest,
    protocol: 'grpc',
    transport: 'h2',
    resumption: { state: 'unsupported', reason: 'the grpc client over h2 takes no TLS session' },
  };
  const connections: CompletedCell = {
    ...rest,
    scenario: 'connections',
    protocol: 'websocket',
    connections: {
      target: 50,
      held: 49,
      failed: 1,
      firstFailure: 'client 7: connect: expected within 15000 ms, got nothing',
      serverLive: 49,
      batch: 100,
      establishMs: percentiles,
      rampS: 0.4,
      memoryBefore: { rss: 1e8, heapUsed: 4e7 },
      memoryHeld: { rss: 1.01e8, heapUsed: 4.05e7 },
      rssBytesPerConnection: 20_408,
      heapBytesPerConnection: 10_204,
      gc: true,
      checkDelivered: 49,
      serverLiveAfterClose: 0,
    },
  };
  const storm: CompletedCell = {
    ...rest,
    scenario: 'reconnect-storm',
    protocol: 'sse',
    reconnectStorm: {
      subscribers: 25,
      dropped: 26,
      resume: 'Last-Event-ID',
      eventsBefore: 3,
      eventsDuring: 3,
      firstPublishAfterCutMs: 4.2,
      recoveryMs: percentiles,
      recovered: 25,
      lost: 0,
      duplicates: 0,
      gaps: 0,
      reconnectAttempts: 25,
      maxAttemptsPerClient: 1,
      failedSubscriptions: 0,
      backoffSeed: 1,
    },
  };
  return { ...base, cells: [...base.cells, resumed, unsupported, connections, storm] };
}

test('report.md has the cold/resumed/warm section with the state or its reason', (t) => {
  const md = renderMarkdown(withSections());
  t.regex(md, /## Cold, resumed and warm connections/);
  t.regex(
    md,
    /\| get-small \| rest \| h2 \| json \| loopback \| [\d.]+ \| [\d.]+ \| 1\.250 \| resumed 3\/3 \|/,
  );
  t.regex(md, /\| – \| unsupported: the grpc client over h2 takes no TLS session \|/);
});

test('report.md has the connections and reconnect-storm tables from the cells’ records', (t) => {
  const md = renderMarkdown(withSections());
  t.regex(md, /## Connections held by one server process/);
  t.regex(
    md,
    /\| websocket \| h1 \| json \| loopback \| 49 \/ 50 \| 1 \| 49 \| 19\.9 KiB \| 10\.0 KiB \| yes \| 400\.0 \|/,
  );
  t.regex(md, /## Reconnect storm/);
  t.regex(
    md,
    /\| sse \| h1 \| json \| loopback \| 25 \| 26 \| Last-Event-ID \| 25 \| 400\.0 \| 520\.0 \| 550\.0 \| 0 \| 0 \| 0 \| 25 \(1\) \| 0 \| 1 \|/,
  );
});

test('results.csv carries resumed TTFB, connections and storm figures in named columns', (t) => {
  const [header, ...rows] = renderCsv(withSections()).trim().split('\n');
  const columns = (header ?? '').split(',');
  const row = (scenario: string, protocol: string, transport: string) => {
    const line = rows.find((r) => r.startsWith(`${scenario},${protocol},${transport},`)) ?? '';
    return Object.fromEntries(line.split(',').map((v, i) => [columns[i], v]));
  };
  t.is(row('get-small', 'rest', 'h2').ttfb_resumed_p50_ms, '1.25');
  t.is(row('get-small', 'rest', 'h2').resumption, 'resumed');
  t.is(row('connections', 'websocket', 'h1').connections_held, '49');
  t.is(row('connections', 'websocket', 'h1').server_heap_bytes_per_connection, '10204');
  t.is(row('reconnect-storm', 'sse', 'h1').storm_lost, '0');
  t.is(row('reconnect-storm', 'sse', 'h1').storm_recovery_p95_ms, '520');
});

test('cleartext cells are left out of the resumption section; with no TLS cell it says how to get one', (t) => {
  const results = withSections();
  const cleartext = results.cells.map((c) =>
    c.state === 'completed' && c.resumption
      ? { ...c, resumption: { state: 'not-applicable' as const, reason: 'h1 is cleartext: no TLS session' } }
      : c,
  );
  const md = renderMarkdown({ ...results, cells: cleartext });
  t.regex(md, /No TLS cell in this run .*--transports h1s,h2,h3/);
  t.notRegex(md, /not-applicable/);
});
