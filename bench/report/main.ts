import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFlags, runMain, UsageError } from '../../lib/cli.js';
import { RESULTS_SCHEMA, type Results } from '../results/schema.js';
import { writeFileAtomic } from '../results/write-atomic.js';
import { renderComparison } from './compare.js';
import { writeViews } from './write-reports.js';

/**
 * `npm run report -- DIR [--baseline DIR0]`: regenerates report.md,
 * report.html and results.csv from DIR/results.json; with a baseline, also
 * writes DIR/comparison.md (what changed between the two runs).
 */
runMain('report', async () => {
  const { values, positionals } = parseFlags(process.argv.slice(2), { baseline: { type: 'string' } });
  if (positionals.length !== 1) {
    throw new UsageError(
      `expected one results folder, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`,
    );
  }
  const dir = positionals[0] ?? '';
  const results = await load(dir);
  await writeViews(dir, results);
  process.stdout.write(`wrote report.md, report.html and results.csv in ${dir}\n`);
  if (values.baseline) {
    await writeFileAtomic(join(dir, 'comparison.md'), renderComparison(results, await load(values.baseline)));
    process.stdout.write(`wrote comparison.md (vs ${values.baseline}) in ${dir}\n`);
  }
  return 0;
});

async function load(dir: string): Promise<Results> {
  let results: Results;
  try {
    results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as Results;
  } catch (error) {
    throw new UsageError(
      `${dir}/results.json: expected a readable JSON file, got ${(error as Error).message}`,
    );
  }
  if (results.schema !== RESULTS_SCHEMA) {
    throw new UsageError(
      `${dir}/results.json: expected schema ${RESULTS_SCHEMA}, got ${String(results.schema)}`,
    );
  }
  return results;
}
