import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Results } from '../results/schema.js';
import { chartData, saturationCurves } from './chart-data.js';
import { HOL_BROWSER_SCRIPT, holChartData } from './hol-chart.js';
import { insights } from './insights.js';
import { renderMarkdownTables } from './markdown.js';

const require = createRequire(import.meta.url);

/** Chart.js's UMD build, inlined so the report needs no network (no CDN). */
function chartJsSource(): string {
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

const escapeHtml = (s: string): string =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** JSON that is safe inside a <script> element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replaceAll('<', '\\u003c');

/**
 * report.html: one self-contained file (Chart.js and the data inlined) with,
 * per scenario, latency percentile bars, latency CDFs, throughput, and bytes
 * per operation stacked as body vs headers/framing; then the "what wins
 * where" text and the full tables. Generated from results.json only.
 */
export function renderHtml(results: Results): string {
  const data = chartData(results);
  const text = insights(results);
  const { run, environment } = results;
  const tables = renderMarkdownTables(results)
    .map((t) => `<h3>${escapeHtml(t.title)}</h3><pre>${escapeHtml(t.markdown)}</pre>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wirebench — ${escapeHtml(run.id)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.5rem}h2{margin-top:2.5rem;border-bottom:1px solid #ddd}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}
.chart{position:relative;height:320px}pre{overflow-x:auto;background:#f6f6f6;padding:.75rem;font-size:12px}
.meta{color:#555}li{margin:.3rem 0}
</style></head><body>
<h1>wirebench results — ${escapeHtml(run.id)}</h1>
<p class="meta">Profile <b>${escapeHtml(run.profile)}</b>, seed ${run.seed}, ${escapeHtml(run.status)}.
Node ${escapeHtml(environment.node)} on ${escapeHtml(environment.platform)} ${escapeHtml(environment.kernel)},
${environment.cpus} × ${escapeHtml(environment.cpuModel)}, TCP congestion control ${escapeHtml(environment.tcpCongestionControl ?? 'unknown')}.</p>
<h2>What wins where</h2>
<ul id="insights">${text.map((l) => `<li>${escapeHtml(l)}</li>`).join('') || '<li>Fewer than two completed cells per scenario: nothing to compare.</li>'}</ul>
<div id="scenarios"></div>
<h2>Tables</h2>
${tables}
<script>${chartJsSource()}</script>
<script type="application/json" id="wb-data">${scriptJson(data)}</script>
<script type="application/json" id="wb-saturation">${scriptJson(saturationCurves(results))}</script>
<script>${BROWSER_SCRIPT}</script>
<script type="application/json" id="wb-hol">${scriptJson(holChartData(results))}</script>
<script>${HOL_BROWSER_SCRIPT}</script>
</body></html>
`;
}

/** Runs in the browser: one block of four charts per scenario. */
const BROWSER_SCRIPT = `
(function () {
  const scenarios = JSON.parse(document.getElementById('wb-data').textContent);
  const root = document.getElementById('scenarios');
  const palette = ['#0b6bcb','#d9480f','#2b8a3e','#862e9c','#c92a2a','#1098ad','#e67700','#5c940d','#364fc7','#a61e4d'];
  const color = (i) => palette[i % palette.length];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  scenarios.forEach((scenario, s) => {
    const section = document.createElement('section');
    section.innerHTML = '<h2></h2><div class="grid">' +
      ['percentiles','cdf','throughput','bytes'].map((k) => '<div class="chart"><canvas data-chart="' + k + '" id="c-' + s + '-' + k + '"></canvas></div>').join('') +
      '</div>';
    section.querySelector('h2').textContent = scenario.title;
    root.appendChild(section);
    const labels = scenario.cells.map((c) => c.label);
    const canvas = (k) => document.getElementById('c-' + s + '-' + k);
    new Chart(canvas('percentiles'), { type: 'bar', data: { labels, datasets: ['p50','p90','p99','p999'].map((p, i) => ({
      label: p === 'p999' ? 'p99.9' : p, backgroundColor: color(i), data: scenario.cells.map((c) => c.percentilesMs[p]) })) },
      options: { plugins: { title: { display: true, text: 'Latency percentiles (ms)' } }, scales: { y: { type: 'logarithmic', title: { display: true, text: 'ms' } } } } });
    new Chart(canvas('cdf'), { type: 'line', data: { datasets: scenario.cells.map((c, i) => ({
      label: c.label, borderColor: color(i), backgroundColor: color(i), pointRadius: 2, data: c.cdf.map(([p, ms]) => ({ x: ms, y: p })) })) },
      options: { parsing: false, plugins: { title: { display: true, text: 'Latency CDF' } },
        scales: { x: { type: 'logarithmic', title: { display: true, text: 'latency (ms)' } }, y: { min: 0, max: 100, title: { display: true, text: 'percentile' } } } } });
    new Chart(canvas('throughput'), { type: 'bar', data: { labels, datasets: [{ label: 'req/s', backgroundColor: color(2), data: scenario.cells.map((c) => c.throughputRps) }] },
      options: { plugins: { title: { display: true, text: 'Throughput (completed ops/s)' } } } });
    new Chart(canvas('bytes'), { type: 'bar', data: { labels, datasets: [
      { label: 'request body', stack: 'req', backgroundColor: '#74c0fc', data: scenario.cells.map((c) => c.bytes.requestBody) },
      { label: 'request headers/framing', stack: 'req', backgroundColor: '#1864ab', data: scenario.cells.map((c) => c.bytes.requestOverhead) },
      { label: 'response body', stack: 'resp', backgroundColor: '#ffa94d', data: scenario.cells.map((c) => c.bytes.responseBody) },
      { label: 'response headers/framing', stack: 'resp', backgroundColor: '#d9480f', data: scenario.cells.map((c) => c.bytes.responseOverhead) } ] },
      options: { plugins: { title: { display: true, text: 'Bytes per operation: body vs headers/framing (wire − body)' } },
        scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'bytes' } } } } });
  });
  const curves = JSON.parse(document.getElementById('wb-saturation').textContent);
  if (curves.length > 0) {
    const section = document.createElement('section');
    section.innerHTML = '<h2>Saturation: latency against offered load</h2><div class="chart"><canvas data-chart="saturation" id="c-saturation"></canvas></div>';
    root.appendChild(section);
    new Chart(document.getElementById('c-saturation'), { type: 'line', data: { datasets: curves.flatMap((c, i) => [
      { label: c.label + ' p99', borderColor: color(i), backgroundColor: color(i), data: c.points.map(([x, , p99]) => ({ x, y: p99 })) },
      { label: c.label + ' p50', borderColor: color(i), borderDash: [4, 4], backgroundColor: color(i), data: c.points.map(([x, p50]) => ({ x, y: p50 })) },
    ]) }, options: { parsing: false, plugins: { title: { display: true, text: 'Corrected latency per offered-load step (knee in report.md)' } },
      scales: { x: { type: 'linear', title: { display: true, text: 'offered req/s' } }, y: { type: 'logarithmic', title: { display: true, text: 'ms' } } } } });
  }
  document.body.dataset.chartsReady = String(document.querySelectorAll('canvas').length);
})();
`;
