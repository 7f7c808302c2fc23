import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { renderHtml } from '../../bench/report/html.js';
import { fixtureResults } from './fixture.js';

const run = promisify(execFile);
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-logging=stderr',
  '--v=0',
  '--virtual-time-budget=5000',
];

async function chromium(): Promise<string | undefined> {
  for (const bin of ['chromium', 'chromium-browser']) {
    try {
      await run(bin, ['--version']);
      return bin;
    } catch {}
  }
  return undefined;
}

test('report.html renders in headless Chromium: charts drawn, no console errors, screenshot taken', async (t) => {
  const bin = await chromium();
  if (!bin) {
    t.log('SKIPPED: chromium is not installed (Debian package `chromium`; .ci/run installs it)');
    t.pass();
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'wb-report-'));
  try {
    const html = join(dir, 'report.html');
    await writeFile(html, renderHtml(fixtureResults()));
    const profile = (name: string) => `--user-data-dir=${join(dir, name)}`;
    // 1. The DOM after scripts ran: the page marks how many charts it created.
    const dom = await run(bin, [...CHROMIUM_FLAGS, profile('a'), '--dump-dom', `file://${html}`], {
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    t.regex(dom.stdout, /data-charts-ready="4"/, 'one scenario → four charts');
    const outsideScripts = dom.stdout.replace(/<script[\s\S]*?<\/script>/g, '');
    t.is((outsideScripts.match(/<canvas data-chart="[a-z]+"/g) ?? []).length, 4);
    t.regex(dom.stdout, /What wins where/);
    // 2. Console output: the report logs nothing, so any console line is an error.
    const consoleLines = dom.stderr.split('\n').filter((l) => l.includes(':CONSOLE'));
    t.deepEqual(consoleLines, [], 'no console messages or uncaught errors');
    // 3. A screenshot for people to look at.
    const png = join(dir, 'report.png');
    await run(
      bin,
      [...CHROMIUM_FLAGS, profile('b'), '--window-size=1280,1600', `--screenshot=${png}`, `file://${html}`],
      {
        timeout: 60_000,
      },
    );
    t.true((await stat(png)).size > 10_000, 'the screenshot has content');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('report.html is self-contained: no external URLs', (t) => {
  const html = renderHtml(fixtureResults());
  t.notRegex(html, /<script[^>]+src=/);
  t.notRegex(html, /<link[^>]+href="http/);
  t.regex(html, /Chart/);
});
