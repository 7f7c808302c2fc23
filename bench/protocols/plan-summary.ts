import { type BudgetFit, cachedLink, durationOf, scaleProfile } from './budget.js';
import { estimateCellS, networkSetupS } from './estimate.js';
import type { CellPlan } from './plan.js';
import type { Profile } from './profiles.js';

const minutes = (s: number): string => `${(s / 60).toFixed(1)} min`;

/**
 * The one line printed before a run (and ending a dry run): how many cells,
 * how many skipped, on how many networks, the estimate against the budget,
 * and the scaling chosen to fit it — so a shortened run says so up front.
 */
export function planLine(
  plans: readonly CellPlan[],
  networks: readonly string[],
  fit: BudgetFit | null,
): string {
  const skipped = plans.filter((p) => p.kind === 'skip').length;
  const head = `plan: ${plans.length} cells (${skipped} skipped) on ${networks.length} network${networks.length === 1 ? '' : 's'}`;
  if (!fit) return `${head}, no budget (--budget off)`;
  const scaled =
    fit.scale === 1
      ? 'the profile as written'
      : `${fit.scale === 0 ? 'the profile at its floors' : `the profile × ${fit.scale}`}, scaled down from ${minutes(fit.unscaledS)}`;
  // The estimate is a worst case: past it, the runtime guard skips only the cells for which time really runs out.
  const overflow = fit.fits
    ? ''
    : ' — the worst case exceeds the budget even at the floors: cells are skipped only if the run really falls behind';
  return `${head}, estimated ${minutes(fit.estimateS)} of budget ${minutes(fit.budgetS)} (${scaled})${overflow}`;
}

/** What the scaled profile measures per cell, for the dry run's header. */
export function profileLine(profile: Profile, fixedDurationS: number | undefined): string {
  const d = durationOf(profile, fixedDurationS);
  return (
    `per cell: warm-up ${profile.warmupS.toFixed(2)} s, measured ${d.toFixed(2)} s (at most ×${profile.maxDurationFactor}), ` +
    `${profile.coldSamples} cold samples, saturation steps ${profile.saturationStepS.toFixed(2)} s, ` +
    `hol trials ${profile.hol.baselineTrials}+${profile.hol.dropTrials}+${profile.hol.sweepTrials}×${profile.hol.sweepLossPct.length}, ` +
    `fanout ${profile.fanout.subscribers}, connections ${profile.connections.clients}, reconnect-storm ${profile.reconnectStorm.subscribers}`
  );
}

/**
 * The dry run's table: one row per scenario, one column per network, each
 * cell "runs/skipped · estimated seconds" at the fitted scale; a last row of
 * network setup costs.
 */
export function planTable(
  plans: readonly CellPlan[],
  networks: readonly string[],
  profile: Profile,
  fit: BudgetFit | null,
  fixedDurationS: number | undefined,
): string {
  const scaled = fit ? scaleProfile(profile, fit.scale) : profile;
  const d = durationOf(scaled, fixedDurationS);
  const scenarios = [...new Set(plans.map((p) => (p.kind === 'run' ? p.scenario.name : p.scenario)))];
  const rows: string[][] = [['scenario', ...networks]];
  for (const scenario of scenarios) {
    const row = [scenario];
    for (const network of networks) {
      const here = plans.filter(
        (p) => p.network === network && (p.kind === 'run' ? p.scenario.name : p.scenario) === scenario,
      );
      let runs = 0;
      let seconds = 0;
      for (const p of here) {
        if (p.kind !== 'run') continue;
        runs++;
        seconds += estimateCellS(p, scaled, d, cachedLink(network));
      }
      row.push(here.length === 0 ? '-' : `${runs}/${here.length - runs} · ${Math.round(seconds)} s`);
    }
    rows.push(row);
  }
  rows.push(['(setup)', ...networks.map((n) => `${Math.round(networkSetupS(cachedLink(n)))} s`)]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [header, ...body] = rows;
  return [
    line(header ?? []),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
    '',
    'cells: runs/skipped · estimated seconds (worst case)',
  ].join('\n');
}
