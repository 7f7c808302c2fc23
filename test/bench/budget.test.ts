import test from 'ava';
import { cachedLink, estimateRun, FLOORS, fitBudget, scaleProfile } from '../../bench/protocols/budget.js';
import { BudgetGuard } from '../../bench/protocols/budget-guard.js';
import { COSTS, estimateCellS } from '../../bench/protocols/estimate.js';
import { type CellPlan, planMatrix } from '../../bench/protocols/plan.js';
import { PROFILES, type Profile } from '../../bench/protocols/profiles.js';
import { isPushScenario } from '../../bench/scenarios/types.js';
import { PROTOCOL_IDS } from '../../protocols/types.js';

/** The runnable cells of a profile's plan (as root: its emulated networks included), in run order. */
function cellsOf(
  profile: Profile,
  networks = ['loopback', ...profile.emulatedNetworks],
): Extract<CellPlan, { kind: 'run' }>[] {
  const plans = planMatrix({
    scenarios: profile.scenarios,
    emulatedScenarios: profile.emulatedScenarios,
    protocols: PROTOCOL_IDS,
    transports: undefined,
    transportChoice: profile.transports,
    networks,
    holNetworks: profile.hol.networks,
  });
  return networks.flatMap((n) => plans.flatMap((p) => (p.kind === 'run' && p.network === n ? [p] : [])));
}

const input = (profile: Profile, cells = cellsOf(profile), fixedDurationS?: number) => ({
  profile,
  cells,
  fixedDurationS,
});

test('the estimate grows with more cells, longer durations and a larger scale', (t) => {
  const profile = PROFILES.standard;
  const cells = cellsOf(profile);
  t.true(cells.length > 10);
  const half = cells.slice(0, Math.floor(cells.length / 2));
  t.true(estimateRun(input(profile, half)) < estimateRun(input(profile, cells)));
  t.true(estimateRun(input(profile, cells, 1)) < estimateRun(input(profile, cells, 10)));
  const longer: Profile = { ...profile, warmupS: profile.warmupS * 2, coldSamples: profile.coldSamples * 2 };
  t.true(estimateRun(input(profile, cells)) < estimateRun(input(longer, cells)));
  let previous = 0;
  for (const scale of [0, 0.1, 0.25, 0.5, 1]) {
    const estimate = estimateRun(input(profile, cells), scale);
    t.true(estimate >= previous, `scale ${scale}: expected ≥ ${previous}, got ${estimate}`);
    previous = estimate;
  }
  // An emulated network costs more than loopback for the same cells.
  const onLoopback = cells.filter((c) => c.network === 'loopback' && c.scenario.name === 'get-small');
  const on4g = onLoopback.map((c) => ({ ...c, network: '4g' }));
  t.true(estimateRun(input(profile, onLoopback)) < estimateRun(input(profile, on4g)));
});

test('standard and full, planned as root, fit their budgets; the fitted estimate never exceeds the budget', (t) => {
  for (const name of ['standard', 'full'] as const) {
    const profile = PROFILES[name];
    const fit = fitBudget(input(profile), profile.budgetS);
    t.true(
      fit.fits,
      `${name}: expected the plan to fit ${profile.budgetS} s, got ${fit.estimateS} s at the floors`,
    );
    t.true(fit.estimateS <= profile.budgetS, `${name}: ${fit.estimateS} s > ${profile.budgetS} s`);
    t.true(fit.scale > 0 && fit.scale < 1, `${name}: expected a scaled profile, got × ${fit.scale}`);
    t.true(fit.unscaledS > profile.budgetS);
    // Bounds of the issue: 15 and 60 minutes, with margin.
    t.true(profile.budgetS < (name === 'standard' ? 900 : 3600));
  }
  // Any smaller budget the floors allow is met as well.
  const profile = PROFILES.full;
  const floorS = estimateRun(input(profile), 0);
  for (const budgetS of [floorS + 1, floorS * 1.5, floorS * 3]) {
    const fit = fitBudget(input(profile), budgetS);
    t.true(fit.fits && fit.estimateS <= budgetS);
  }
  t.false(fitBudget(input(profile), floorS - 1).fits);
});

test('scaling never goes below the floors, nor above the profile', (t) => {
  for (const profile of Object.values(PROFILES)) {
    const floor = scaleProfile(profile, 0);
    t.is(floor.durationS, Math.min(profile.durationS, FLOORS.durationS));
    t.is(floor.warmupS, Math.min(profile.warmupS, FLOORS.warmupS));
    t.is(floor.coldSamples, Math.min(profile.coldSamples, FLOORS.coldSamples));
    t.true(floor.coldSamples >= 3 && floor.durationS >= 0.5);
    t.true(floor.hol.sweepTrials >= 2 && floor.hol.dropTrials >= 2);
    t.true(floor.fanout.subscribers >= Math.min(profile.fanout.subscribers, FLOORS.fanoutSubscribers));
    t.deepEqual(scaleProfile(profile, 1), profile);
    const half = scaleProfile(profile, 0.5);
    t.true(half.durationS <= profile.durationS && half.durationS >= floor.durationS);
    t.true(Number.isInteger(half.coldSamples) && Number.isInteger(half.fanout.subscribers));
  }
});

test('--duration is never scaled: the estimate uses it whatever the scale', (t) => {
  const profile = PROFILES.standard;
  const cells = cellsOf(profile, ['loopback']).filter((c) => c.scenario.name === 'get-small');
  const fit = fitBudget(input(profile, cells, 7), 60);
  // 23 cells × 7 s cannot fit 60 s: the duration stays, so the plan cannot fit at all.
  t.false(fit.fits);
  t.true(estimateRun(input(profile, cells, 7), 0) > cells.length * 7);
});

test('the runtime guard shrinks the next cells when behind, then skips with the reason', (t) => {
  const profile = PROFILES.standard;
  const cells = cellsOf(profile, ['loopback']);
  const fit = fitBudget(input(profile, cells), profile.budgetS);
  let nowMs = 0;
  const guard = new BudgetGuard(input(profile, cells), fit, () => nowMs);
  // On time: the planned scale.
  const first = guard.beforeCell(cells);
  t.is(first.kind, 'run');
  if (first.kind === 'run') t.is(first.scale, fit.scale);
  // A third of the budget gone after one cell: the rest is shrunk, never below the floors.
  nowMs = (profile.budgetS / 3) * 1000;
  const second = guard.beforeCell(cells.slice(1), 'loopback');
  t.is(second.kind, 'run');
  if (second.kind === 'run') {
    t.true(second.scale < fit.scale, `expected a smaller scale than ${fit.scale}, got ${second.scale}`);
    t.true(second.profile.durationS >= FLOORS.durationS);
  }
  // Out of time: the cell and every later one of the network are skipped with the reason.
  nowMs = (profile.budgetS - 1) * 1000;
  const third = guard.beforeCell(cells.slice(2), 'loopback');
  t.deepEqual(third, { kind: 'skip', reason: `profile budget of ${profile.budgetS} s exhausted` });
  nowMs = (profile.budgetS - 2) * 1000; // even with a clock that went back, the network stays exhausted
  t.is(guard.beforeCell(cells.slice(3), 'loopback').kind, 'skip');
  const record = guard.record();
  t.is(record.skippedCells, 2);
  t.true(record.rescaledCells >= 1);
  t.true(record.finalScale < record.scale);
  t.is(record.budgetS, profile.budgetS);
  t.false(record.durationFixed);
});

test('the runtime guard keeps a later network its share when the first runs late', (t) => {
  const profile = PROFILES.quick;
  const cells = cellsOf(profile, ['loopback', '4g']);
  const fit = fitBudget(input(profile, cells), profile.budgetS);
  let nowMs = 0;
  const guard = new BudgetGuard(input(profile, cells), fit, () => nowMs);
  const firstOn4g = cells.findIndex((c) => c.network === '4g');
  t.true(firstOn4g > 0);
  // Loopback ran long: with only the 4g cells' share left, loopback's next cell is skipped…
  const later = cells.slice(firstOn4g);
  const laterS = estimateRun(input(profile, later), 0);
  nowMs = (profile.budgetS - laterS - 0.1) * 1000;
  t.is(guard.beforeCell(cells.slice(firstOn4g - 1), 'loopback').kind, 'skip');
  // …and the 4g network still runs.
  t.is(guard.beforeCell(later).kind, 'run');
});

test('a peak fanout cell keeps its fleet at any scale, and its cost is in the estimate', (t) => {
  const profile = PROFILES.full;
  const cells = cellsOf(profile);
  const peak = cells.filter((c) => c.scenario.name === 'fanout-peak');
  // One cell per push protocol (its default transport, encoding and variant), on loopback only.
  const protocols = peak.map((c) => c.protocol);
  t.true(peak.length >= 5, `expected a peak cell per push protocol, got ${protocols.join(', ')}`);
  t.is(new Set(protocols).size, peak.length);
  t.true(peak.every((c) => c.network === 'loopback'));
  const scenario = peak[0]?.scenario;
  t.true(scenario !== undefined && isPushScenario(scenario) && scenario.peak?.subscribers === 10_000);
  // The budget scales the ordinary fanout fleet, never the peak one: its cost is the same at every scale…
  const link = cachedLink('loopback');
  // (its cold-subscribe samples scale like every cell's; hold them to see the fleet alone)
  const cost = (at: number, coldSamples?: number) =>
    peak.reduce((s, c) => {
      const p = scaleProfile(profile, at);
      return s + estimateCellS(c, { ...p, coldSamples: coldSamples ?? p.coldSamples }, 1, link);
    }, 0);
  t.is(cost(0, 3), cost(1, 3));
  t.true(scaleProfile(profile, 0).fanout.subscribers < 10_000);
  // …at least what 10,000 subscribers cost to connect, and counted in the run's estimate.
  t.true(cost(0) > peak.length * 10_000 * COSTS.peakPerSubscriberS);
  const without = cells.filter((c) => c.scenario.name !== 'fanout-peak');
  const withPeak = estimateRun(input(profile, cells), 0);
  t.true(Math.abs(withPeak - estimateRun(input(profile, without), 0) - cost(0)) < 1e-6);
  // The rest shrinks to make room: full still fits its budget, at a smaller scale than without the peak.
  const fit = fitBudget(input(profile, cells), profile.budgetS);
  t.true(fit.fits && fit.estimateS <= profile.budgetS);
  t.true(fit.scale < fitBudget(input(profile, without), profile.budgetS).scale);
});

test('h3 request/response cells pay their resumption audits in round trips', (t) => {
  const profile = PROFILES.full;
  const cell = cellsOf(profile, ['4g']).find((c) => c.scenario.name === 'get-small' && c.transport === 'h3');
  t.truthy(cell);
  if (!cell) return;
  const onLoopback = estimateCellS({ ...cell, network: 'loopback' }, profile, 1, cachedLink('loopback'));
  const link = cachedLink('4g');
  const on4g = estimateCellS(cell, profile, 1, link);
  // The audits alone add 4 × 2 RTT on the link; every other piece grows too.
  t.true(on4g - onLoopback >= COSTS.resumptionAudits * 2 * link.rttS, `${on4g} − ${onLoopback}`);
  t.true(onLoopback >= COSTS.resumptionAudits * COSTS.resumptionAuditS);
});
