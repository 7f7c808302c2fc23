import type { EmulatorStats } from './emulator/main.js';
import type { summarize } from './link-spec.js';
import type { Measured } from './measure/measure.js';
import type { Endpoint, LinkMode } from './state.js';

const fmt = (n: number | null | undefined, unit: string, digits = 2): string =>
  n === null || n === undefined ? '—' : `${Number(n.toFixed(digits))} ${unit}`;

/** One line about the emulator itself: how late its timers were, what it dropped and why, its load. */
export function emulatorLine(e: EmulatorStats): string {
  const l = (d: EmulatorStats['up']): string =>
    `p50 ${fmt(d.latenessMs.p50, 'ms')} p99 ${fmt(d.latenessMs.p99, 'ms')}`;
  return [
    `lateness c→s ${l(e.up)}, s→c ${l(e.down)}`,
    `drops random ${e.up.dropsRandom}/${e.down.dropsRandom}, queue ${e.up.dropsQueue}/${e.down.dropsQueue}, k-th ${e.down.dropsDeterministic}`,
    `${Math.round(e.up.ppsMean + e.down.ppsMean)} pkt/s mean`,
    `cpu ${fmt(e.cpuPct, '%', 0)}`,
  ].join(' · ');
}

/** The configured-vs-measured table `up` and `status` print. */
export function formatLink(s: {
  mode: LinkMode;
  client: Endpoint | null;
  server: Endpoint | null;
  configured: ReturnType<typeof summarize>;
  measured: Measured | null;
  emulator: EmulatorStats | null;
}): string {
  const c = s.configured;
  const m = s.measured;
  const rows: [string, string, string][] = [
    [
      'rtt',
      fmt(c.rttMs, 'ms'),
      m?.rtt
        ? `${fmt(m.rtt.p50, 'ms')} (median of ${m.rtt.count} ${m.rtt.method ?? ''} probes; p99 ${fmt(m.rtt.p99, 'ms')})`
        : '—',
    ],
    ['loss c→s', fmt(c.upLossPct, '%', 3), fmt(m?.upLossPct, '%', 3)],
    ['loss s→c', fmt(c.lossPct, '%', 3), fmt(m?.lossPct, '%', 3)],
  ];
  if (c.rateMbit !== null || m?.rateMbit) {
    const tcp = m?.tcp && 'mbit' in m.tcp ? ` (TCP download, ${m.tcp.seconds.toFixed(1)} s)` : '';
    rows.push(['rate s→c', fmt(c.rateMbit, 'Mbit/s'), `${fmt(m?.rateMbit, 'Mbit/s')}${tcp}`]);
  }
  if (c.upRateMbit !== null) rows.push(['rate c→s', fmt(c.upRateMbit, 'Mbit/s'), '(not measured)']);
  const lines = [
    `netem: ${s.mode}, congestion control ${c.cc}, seed ${c.seed}`,
    ...[
      ['client', s.client],
      ['server', s.server],
    ].map(([name, e]) => {
      const ep = e as Endpoint | null;
      return `  ${name}  ${ep?.netns ?? '(no netns)'}  ${ep?.addr ?? ''}  dev ${ep?.iface ?? ''}`;
    }),
    `  ${'metric'.padEnd(10)} ${'configured'.padEnd(14)} measured`,
    ...rows.map(([k, a, b]) => `  ${k.padEnd(10)} ${a.padEnd(14)} ${b}`),
  ];
  if (s.emulator) lines.push(`  emulator   ${emulatorLine(s.emulator)}`);
  return lines.join('\n');
}
