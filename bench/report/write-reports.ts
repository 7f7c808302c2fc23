import { join } from 'node:path';
import type { Results } from '../results/schema.js';
import { writeFileAtomic } from '../results/write-atomic.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

/** Writes results.json and every view of it into `dir`, each file atomically. */
export async function writeResultsFolder(dir: string, results: Results): Promise<void> {
  await writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeViews(dir, results);
}

/** Regenerates the views (report.md, results.csv, report.html) from a results object. */
export async function writeViews(dir: string, results: Results): Promise<void> {
  await writeFileAtomic(join(dir, 'report.md'), renderMarkdown(results));
  await writeFileAtomic(join(dir, 'results.csv'), renderCsv(results));
  await writeFileAtomic(join(dir, 'report.html'), renderHtml(results));
}
