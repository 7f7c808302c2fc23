import type { DropRule } from '../../netem/index.js';
import type { HolBlock, MeanCi, StatCi } from '../results/hol-schema.js';
import type { CompletedCell, Results } from '../results/schema.js';

type HolCell = CompletedCell & { readonly hol: HolBlock };

const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '–');
const ci = (s: StatCi): string => `${ms(s.value)} [${ms(s.low)}–${ms(s.high)}]`;
const meanCi = (s: MeanCi): string => `${ms(s.mean)} [${ms(s.low)}–${ms(s.high)}]`;

/** The completed cells that carry a head-of-line block, grouped by network in result order. */
export function holCellsByNetwork(results: Results): Map<string, HolCell[]> {
  const groups = new Map<string, HolCell[]>();
  for (const c of results.cells) {
    if (c.state !== 'completed' || !c.hol) continue;
    groups.set(c.network, [...(groups.get(c.network) ?? []), c as HolCell]);
  }
  return groups;
}

/**
 * report.md's head-of-line section: per network, the deterministic single
 * drop (how many of the M objects it delayed beyond the threshold, by how
 * much, and which packet the emulator dropped), then the random-loss sweep
 * with 95% bootstrap intervals over trials. A view of the cells' `hol` blocks.
 */
export function holSections(results: Results): string[] {
  const out: string[] = [];
  for (const [network, cells] of holCellsByNetwork(results)) {
    const first = cells[0]!.hol;
    out.push(
      `## Head-of-line blocking · ${network}`,
      '',
      `${first.objects} objects of ~${(first.objectBytes / 1024).toFixed(1)} KiB fetched at once on warmed connections; ` +
        `link RTT ${ms(first.rttMs)} ms. One drop: the emulator drops ${dropWhich(first.rule)} ` +
        `(one packet per trial, across all connections). ` +
        `An object is delayed when it completes more than ${ms(first.thresholdMs)} ms after its own no-drop baseline (median).`,
      '',
      '| protocol | transport | conns | objects delayed: mean (median, min–max of trials) | delay p50 ms | delay p95 ms | delay max ms | batch ms baseline → drop | drop trials | dropped packet (last trial) |',
      '|---|---|--:|--:|--:|--:|--:|--:|--:|---|',
      ...cells.map((c) => {
        const d = c.hol.deterministic;
        const last = d.trials.at(-1)?.drop;
        const packet = last
          ? `${last.proto} ${last.payloadBytes} B${last.fragmented ? ' (IP-fragmented datagram)' : ''} at +${(last.offsetBytes / 1024).toFixed(1)} KiB, ${last.src} → ${last.dst}, ${ms(last.afterArmMs)} ms after arming`
          : '–';
        return (
          `| ${c.protocol} | ${c.transport} | ${c.hol.connections} | ` +
          `${d.objectsDelayed.mean.toFixed(1)} of ${c.hol.objects} (${d.objectsDelayed.median}, ${d.objectsDelayed.min}–${d.objectsDelayed.max}) | ` +
          `${ms(d.delayMs.p50)} | ${ms(d.delayMs.p95)} | ${ms(d.delayMs.max)} | ` +
          `${ms(Math.max(...d.baselineMs))} → ${ms(Math.max(...d.dropMs))} | ${d.trials.length} | ${packet} |`
        );
      }),
      '',
    );
    const swept = cells.filter((c) => c.hol.sweep.length > 0);
    if (swept.length === 0) continue;
    out.push(
      `Random loss (both directions, seeded per trial) during the measured fetch of ${first.objects} objects of ` +
        `~${(first.sweepObjectBytes / 1024).toFixed(1)} KiB: per-object completion pooled over trials, ` +
        'and the batch total (last object) as a mean over trials; [95% bootstrap interval over trials].',
      '',
      '| protocol | transport | loss % | trials | object p50 ms | object p95 ms | object max ms | total ms (mean) | packets lost |',
      '|---|---|--:|--:|--:|--:|--:|--:|--:|',
      ...swept.flatMap((c) =>
        c.hol.sweep.map(
          (p) =>
            `| ${c.protocol} | ${c.transport} | ${p.lossPct} | ${p.trials} | ${ci(p.p50)} | ${ci(p.p95)} | ${ci(p.max)} | ${meanCi(p.total)} | ${p.packetsLost} |`,
        ),
      ),
      '',
    );
  }
  return out;
}

function dropWhich(rule: DropRule): string {
  const what = `server→client packet of ≥ ${rule.minPayloadBytes} B payload`;
  return rule.k !== undefined
    ? `the ${ordinal(rule.k)} ${what} after the fetch starts`
    : `the first ${what} past ${(rule.afterBytes ?? 0) / 1024} KiB of response payload`;
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
