import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runMain } from '../../lib/cli.js';
import { findRealtime } from '../../protocols/realtime-registry.js';
import { findProtocol } from '../../protocols/registry.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { renderMarkdown } from '../report/markdown.js';
import { writeResultsFolder } from '../report/write-reports.js';
import { describeEnvironment } from '../results/environment.js';
import { type Cell, type NetworkRecord, RESULTS_SCHEMA, type Results } from '../results/schema.js';
import { isPushScenario } from '../scenarios/types.js';
import { runSerializationBench } from '../serialization/run.js';
import { fitBudget, scaleProfile } from './budget.js';
import { BudgetGuard } from './budget-guard.js';
import { HELP, parseBenchFlags } from './flags.js';
import { openNetwork } from './network-env.js';
import { planMatrix, runKey } from './plan.js';
import { planLine, planTable, profileLine } from './plan-summary.js';
import type { Profile } from './profiles.js';
import { createProgress } from './progress.js';
import { checkSlos } from './slo.js';

const DATASET = 'medium' as const;

runMain('bench:protocols', async () => {
  const config = parseBenchFlags(process.argv.slice(2));
  if (config.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const startedAt = new Date();
  const runId = startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
  const outDir = config.outDir ?? join('results', runId);
  // 1. Plan the matrix from the registry; skipped cells are part of the result.
  const plans = planMatrix({ ...config, transportChoice: config.profile.transports });
  const runnable = plans.filter((p) => p.kind === 'run');
  // Cells run network by network, in plan order within each: the order the budget is estimated in.
  const runOrder = config.networks.flatMap((n) => runnable.filter((p) => p.network === n));
  // 1b. The budget: scale the profile so the estimate fits; the guard keeps to it while running.
  const budgetInput = {
    profile: config.profile,
    cells: runOrder,
    fixedDurationS: config.durationFixed ? config.durationS : undefined,
  };
  const fit = config.budgetS === null ? null : fitBudget(budgetInput, config.budgetS);
  let active: Profile = fit ? scaleProfile(config.profile, fit.scale) : config.profile;
  const planned = planLine(plans, config.networks, fit);
  if (config.dryRun) {
    if (config.networkNote) process.stdout.write(`bench: ${config.networkNote}\n`);
    process.stdout.write(
      `${planTable(plans, config.networks, config.profile, fit, budgetInput.fixedDurationS)}\n`,
    );
    process.stdout.write(`${profileLine(active, budgetInput.fixedDurationS)}\n${planned}\n`);
    return 0;
  }
  // The budget counts from the process start: module loading and planning are part of the wall clock.
  const guard = fit ? new BudgetGuard(budgetInput, fit, Date.now, performance.timeOrigin) : undefined;
  let scale = fit?.scale ?? 1;
  const bar = createProgress(runnable.length);
  const progress = (line: string): void => bar.log(line);

  if (config.networkNote) progress(`bench: ${config.networkNote}`);
  progress(`bench: ${planned}`);
  const abort = new AbortController();
  // Every cell and every serialization task listens for Ctrl-C on this one signal.
  setMaxListeners(256, abort.signal);
  const onSigint = (): void => {
    progress('bench: interrupted — finishing the current cell and writing partial results');
    abort.abort();
  };
  process.once('SIGINT', onSigint);

  // 2. Network by network: services and load generator placed for it; a local oracle validates every answer.
  const oracle = new FeedCore({ seed: config.seed, preset: DATASET_PRESETS[DATASET] });
  const cells: Cell[] = [];
  const networks: NetworkRecord[] = [];
  let index = 0;
  /** Position in runOrder: what the guard still has to fit. */
  let position = 0;
  const budgetSkip = (plan: (typeof runOrder)[number], reason: string): Cell => ({
    ...runKey(plan),
    state: 'skipped',
    load: loadOf(config, active),
    reason,
  });
  try {
    for (const network of config.networks) {
      const inNetwork = plans.filter((p) => p.network === network);
      for (const plan of inNetwork) {
        if (plan.kind === 'skip') {
          const { kind: _kind, ...rest } = plan;
          cells.push({ ...rest, state: 'skipped', load: loadOf(config, active), reason: plan.reason });
        }
      }
      const toRun = inNetwork.filter((p) => p.kind === 'run');
      if (toRun.length === 0 || abort.signal.aborted) continue;
      // Asked before the network opens, so its setup counts; a network past the budget is never opened.
      let first = guard?.beforeCell(runOrder.slice(position));
      if (first?.kind === 'skip') {
        progress(`bench: ${network}: ${first.reason} — its ${toRun.length} cells are skipped`);
        guard?.skipMany(toRun.length - 1);
        for (const plan of toRun) cells.push(budgetSkip(plan, first.reason));
        index += toRun.length;
        position += toRun.length;
        continue;
      }
      // A network that cannot be brought up (emulator, namespaces, services) skips its cells with the reason.
      const env = await openNetwork(network, {
        plans: toRun,
        seed: config.seed,
        dataset: DATASET,
        netem: config.netem,
        oracle,
        log: progress,
      }).catch((error: unknown) => `${network}: could not be set up: ${(error as Error).message ?? error}`);
      if (typeof env === 'string') {
        progress(`bench: ${env} — its cells are skipped`);
        for (const plan of toRun)
          cells.push({ ...runKey(plan), state: 'skipped', load: loadOf(config, active), reason: env });
        index += toRun.length;
        position += toRun.length;
        continue;
      }
      networks.push(env.record);
      const stop = (): void => env.abort();
      abort.signal.addEventListener('abort', stop);
      try {
        for (const plan of toRun) {
          if (abort.signal.aborted) break;
          index++;
          // The encoding only where the protocol has several (connect json/proto would otherwise read twice).
          const encodings = isPushScenario(plan.scenario)
            ? findRealtime(plan.protocol)?.encodings
            : findProtocol(plan.protocol)?.encodings;
          const encoding = (encodings?.length ?? 0) > 1 ? `/${plan.encoding}` : '';
          const label = `${plan.scenario.name} ${plan.protocol}/${plan.transport}${encoding}${plan.variant ? `[${plan.variant}]` : ''} ${plan.network}`;
          const decision = first ?? guard?.beforeCell(runOrder.slice(position), network);
          first = undefined;
          position++;
          if (decision?.kind === 'skip') {
            const cell = budgetSkip(plan, decision.reason);
            cells.push(cell);
            bar.done(index, label, summary(cell));
            continue;
          }
          if (decision) {
            // Said once per 10% step down, not for every small adjustment.
            if (decision.scale < scale * 0.9 || (decision.scale === 0 && scale > 0)) {
              progress(
                `bench: behind the budget (${guard?.remainingS().toFixed(0)} s left) — next cells at ${decision.scale === 0 ? 'the floors' : `the profile × ${decision.scale}`}`,
              );
              scale = decision.scale;
            }
            active = decision.profile;
          }
          bar.start(index, label);
          const cell = await env
            .run(plan, {
              profile: active,
              load: loadOf(config, active),
              seed: config.seed,
              signal: abort.signal,
            })
            .catch(
              (error: unknown): Cell => ({
                ...runKey(plan),
                state: 'failed',
                load: loadOf(config, active),
                reason: String((error as Error).message ?? error),
              }),
            );
          cells.push(cell);
          bar.done(index, label, summary(cell));
        }
      } finally {
        abort.signal.removeEventListener('abort', stop);
        await env.close();
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
  }

  // Results in plan order (scenario, network, protocol, transport), whatever order they ran in.
  const order = new Map(plans.map((p, i) => [cellKey(p.kind === 'run' ? runKey(p) : p), i]));
  cells.sort((a, b) => (order.get(cellKey(a)) ?? 0) - (order.get(cellKey(b)) ?? 0));

  // 3. What the wire formats cost by themselves, independent of any transport.
  const serialization = abort.signal.aborted
    ? []
    : await runSerializationBench({
        seed: config.seed,
        ...active.serialization,
        signal: abort.signal,
      }).catch((error: unknown) => {
        progress(`bench: serialization benchmark failed: ${(error as Error).message}`);
        return [];
      });

  bar.finish();
  // 4. Results first (atomically), then the views.
  const results: Results = {
    schema: RESULTS_SCHEMA,
    run: {
      id: runId,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      profile: config.profileName,
      seed: config.seed,
      argv: process.argv.slice(2),
      status: abort.signal.aborted ? 'aborted' : 'completed',
      datasetPreset: DATASET,
      ...(guard ? { budget: guard.record() } : {}),
    },
    environment: await describeEnvironment(),
    networks,
    cells,
    serialization,
  };
  await writeResultsFolder(outDir, results);
  if (config.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else process.stdout.write(renderMarkdown(results));
  progress(`bench: results in ${outDir}/ (results.json, results.csv, report.md, report.html)`);

  const breaches = checkSlos(config.slos, cells);
  for (const b of breaches) {
    progress(
      `SLO breach: ${b.slo} on ${b.cell} (${Number.isNaN(b.actualMs) ? 'failed' : `${b.actualMs.toFixed(3)} ms`})`,
    );
  }
  if (abort.signal.aborted) return 130;
  return breaches.length > 0 ? 1 : 0;
});

/** The load a cell runs with: the flags', durations from --duration or the (budget-scaled) profile. */
function loadOf(config: ReturnType<typeof parseBenchFlags>, profile: Profile) {
  return {
    model: config.load,
    rate: config.rate,
    ...(config.load === 'open' ? { arrival: config.arrival } : {}),
    connections: config.connections,
    concurrency: config.concurrency,
    durationS: config.durationFixed ? config.durationS : profile.durationS,
    warmupS: profile.warmupS,
  };
}

function summary(cell: Cell): string {
  if (cell.state !== 'completed') return `${cell.state}: ${cell.reason}`;
  return `${cell.throughputRps.toFixed(0)} req/s, p50 ${cell.latencyMs.p50.toFixed(3)} ms, p99 ${cell.latencyMs.p99.toFixed(3)} ms`;
}

function cellKey(c: {
  scenario: string;
  protocol: string;
  transport: string;
  network: string;
  encoding: string;
  variant?: string;
}): string {
  return `${c.scenario}|${c.network}|${c.protocol}|${c.transport}|${c.encoding}|${c.variant ?? ''}`;
}
