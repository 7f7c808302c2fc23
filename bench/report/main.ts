import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runMain, UsageError } from '../../lib/cli.js';
import { RESULTS_SCHEMA, type Results } from '../results/schema.js';
import { writeViews } from './write-reports.js';

/** `npm run report -- DIR`: regenerates report.md, report.html and results.csv from DIR/results.json. */
runMain('report', async () => {
  const args = process.argv.slice(2);
  if (args.length !== 1 || args[0]?.startsWith('-')) {
    throw new UsageError(`expected one results folder, got ${args.length === 0 ? 'none' : args.join(' ')}`);
  }
  const dir = args[0] ?? '';
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
  await writeViews(dir, results);
  process.stdout.write(`wrote report.md, report.html and results.csv in ${dir}\n`);
  return 0;
});
