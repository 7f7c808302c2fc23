import type { CompletedCell, Results } from '../results/schema.js';
import { findScenario } from '../scenarios/catalog.js';
import { isPushScenario } from '../scenarios/types.js';

const ms = (n: number | null | undefined): string =>
  n === null || n === undefined || Number.isNaN(n) ? '–' : n.toFixed(1);
const kib = (n: number | null): string => (n === null ? '–' : `${(n / 1024).toFixed(1)} KiB`);
const name = (c: CompletedCell): string =>
  `${c.protocol} | ${c.transport} | ${c.encoding}${c.variant ? ` · ${c.variant}` : ''}`;

/**
 * report.md's push-scenario sections: connections held and memory per
 * connection (`connections`), and recovery after a mass cut
 * (`reconnect-storm`). Views of the cells' own records.
 */
export function pushSections(results: Results): string[] {
  const completed = results.cells.filter((c): c is CompletedCell => c.state === 'completed');
  const out: string[] = [...fanoutSection(completed)];
  const held = completed.filter((c) => c.connections);
  if (held.length > 0) {
    out.push(
      '## Connections held by one server process',
      '',
      'Clients ramped up in batches, each holding a subscription; server memory is the services process’s ' +
        '(after a full GC when marked gc) with every client connected minus before the ramp, per held connection. ' +
        'Establish = connect() to subscription accepted. Check = held subscribers that received one event published afterwards.',
      '',
      '| protocol | transport | enc | network | held / target | failed | server live | RSS / conn | heap / conn | gc | establish p50 ms | p99 ms | max ms | check | live after close |',
      '|---|---|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|',
      ...held.map((c) => {
        const r = c.connections;
        if (!r) return '';
        return (
          `| ${name(c)} | ${c.network} | ${r.held} / ${r.target} | ${r.failed} | ${r.serverLive} | ${kib(r.rssBytesPerConnection)} | ` +
          `${kib(r.heapBytesPerConnection)} | ${r.gc ? 'yes' : 'no'} | ${ms(r.establishMs.p50)} | ${ms(r.establishMs.p99)} | ` +
          `${ms(r.establishMs.max)} | ${r.checkDelivered} | ${r.serverLiveAfterClose} |`
        );
      }),
      '',
    );
  }
  const storms = completed.filter((c) => c.reconnectStorm);
  if (storms.length > 0) {
    out.push(
      '## Reconnect storm',
      '',
      'The server cut every connection at once. Recovery of a client = cut → its first event published after the cut ' +
        'delivered (resubscribed and resumed). Lost must be 0 where the protocol resumes. Backoff jitter seeded per client (seed + i).',
      '',
      '| protocol | transport | enc | network | subscribers | cut | resume | recovered | p50 ms | p95 ms | max ms | lost | duplicates | gaps | attempts (max/client) | failed | seed |',
      '|---|---|---|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
      ...storms.map((c) => {
        const r = c.reconnectStorm;
        if (!r) return '';
        return (
          `| ${name(c)} | ${c.network} | ${r.subscribers} | ${r.dropped} | ${r.resume} | ${r.recovered} | ${ms(r.recoveryMs.p50)} | ` +
          `${ms(r.recoveryMs.p95)} | ${ms(r.recoveryMs.max)} | ${r.lost} | ${r.duplicates} | ${r.gaps} | ` +
          `${r.reconnectAttempts} (${r.maxAttemptsPerClient}) | ${r.failedSubscriptions} | ${r.backoffSeed} |`
        );
      }),
      '',
    );
  }
  return out;
}

/**
 * Fanout cells with their fleet size per row, so the 10,000-subscriber
 * (`fanout-peak`) cells stand apart from the budget-scaled `fanout` ones; a
 * peak fleet the open-file limit capped shows "N of target".
 */
function fanoutSection(completed: readonly CompletedCell[]): string[] {
  const rows = completed.filter((c) => {
    const s = findScenario(c.scenario);
    return s !== undefined && isPushScenario(s) && (s.measure ?? 'delivery') === 'delivery';
  });
  if (rows.length === 0) return [];
  const n = (x: number): string => x.toLocaleString('en-US');
  return [
    '## Fanout: subscribers per cell',
    '',
    'One publisher, N subscribers of one topic; latency = publish call to arrival at each subscriber. ' +
      '`fanout-peak` runs its own fleet (never scaled by the run budget) on each protocol’s default transport; ' +
      '`fanout` runs the profile’s, scaled with the rest. Lost = events not delivered (timeouts + errors + gaps the client reported).',
    '',
    '| scenario | protocol | transport | enc | network | subscribers | events | delivered | lost | p50 ms | p99 ms | max ms | client-bound |',
    '|---|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|',
    ...rows.map((c) => {
      const s = findScenario(c.scenario);
      const target = s && isPushScenario(s) ? s.peak?.subscribers : undefined;
      const held = c.load.concurrency;
      const fleet = target !== undefined && held < target ? `${n(held)} of ${n(target)}` : n(held);
      const events = c.load.rate === null ? '–' : n(Math.round(c.load.rate * c.load.durationS));
      return (
        `| ${c.scenario} | ${name(c)} | ${c.network} | ${fleet} | ${events} | ${n(c.counts.ok)} | ` +
        `${n(c.counts.timeouts + c.counts.errors + (c.counts.lost ?? 0))} | ${ms(c.latencyMs.p50)} | ${ms(c.latencyMs.p99)} | ` +
        `${ms(c.latencyMs.max)} | ${c.clientBound ? 'yes' : 'no'} |`
      );
    }),
    '',
  ];
}
