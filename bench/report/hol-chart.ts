import type { Results } from '../results/schema.js';
import { holCellsByNetwork } from './hol-table.js';

/** What report.html draws for one network's head-of-line cells. */
export interface HolChart {
  readonly title: string;
  readonly objects: number;
  /** Per transport: each object's completion (ms) in the no-drop baseline and with the one drop (medians over trials). */
  readonly perObject: readonly {
    readonly label: string;
    readonly baselineMs: readonly number[];
    readonly dropMs: readonly number[];
  }[];
  /** Per transport: [loss %, mean total ms, CI low, CI high] per sweep point. */
  readonly sweep: readonly {
    readonly label: string;
    readonly points: readonly (readonly [number, number, number, number])[];
  }[];
}

/** Reduces the cells' `hol` blocks to the two HoL charts per network. */
export function holChartData(results: Results): HolChart[] {
  return [...holCellsByNetwork(results)].map(([network, cells]) => ({
    title: `Head-of-line blocking · ${network}`,
    objects: cells[0]?.hol.objects ?? 0,
    perObject: cells.map((c) => ({
      label: `${c.protocol}/${c.transport}`,
      baselineMs: c.hol.deterministic.baselineMs,
      dropMs: c.hol.deterministic.dropMs,
    })),
    sweep: cells
      .filter((c) => c.hol.sweep.length > 0)
      .map((c) => ({
        label: `${c.protocol}/${c.transport}`,
        points: c.hol.sweep.map((p) => [p.lossPct, p.total.mean, p.total.low, p.total.high] as const),
      })),
  }));
}

/**
 * Runs in the browser after the main charts: per network, per-object
 * completion (baseline dashed, one drop solid) and the loss sweep's batch
 * total with its 95% interval (thin lines). Updates the page's chart count.
 */
export const HOL_BROWSER_SCRIPT = `
(function () {
  const charts = JSON.parse(document.getElementById('wb-hol').textContent);
  const root = document.getElementById('scenarios');
  const palette = ['#0b6bcb','#d9480f','#2b8a3e','#862e9c','#c92a2a','#1098ad'];
  const color = (i) => palette[i % palette.length];
  charts.forEach((h, n) => {
    const section = document.createElement('section');
    section.innerHTML = '<h2></h2><div class="grid">' +
      ['hol-objects', 'hol-sweep'].map((k) => '<div class="chart"><canvas data-chart="' + k + '" id="c-hol-' + n + '-' + k + '"></canvas></div>').join('') +
      '</div>';
    section.querySelector('h2').textContent = h.title;
    root.appendChild(section);
    const labels = Array.from({ length: h.objects }, (_, i) => 'object ' + (i + 1));
    new Chart(document.getElementById('c-hol-' + n + '-hol-objects'), { type: 'line', data: { labels, datasets: h.perObject.flatMap((s, i) => [
      { label: s.label + ' one drop', borderColor: color(i), backgroundColor: color(i), data: s.dropMs },
      { label: s.label + ' baseline', borderColor: color(i), backgroundColor: color(i), borderDash: [4, 4], pointRadius: 1, data: s.baselineMs },
    ]) }, options: { plugins: { title: { display: true, text: 'Per-object completion: no drop (dashed) vs one dropped packet (ms)' } },
      scales: { y: { title: { display: true, text: 'ms from the fetch start' } } } } });
    new Chart(document.getElementById('c-hol-' + n + '-hol-sweep'), { type: 'line', data: { datasets: h.sweep.flatMap((s, i) => [
      { label: s.label + ' total (mean)', borderColor: color(i), backgroundColor: color(i), data: s.points.map((p) => ({ x: p[0], y: p[1] })) },
      { label: s.label + ' 95% CI', borderColor: color(i), borderWidth: 1, borderDash: [2, 3], pointRadius: 0, data: s.points.map((p) => ({ x: p[0], y: p[2] })) },
      { label: s.label + ' 95% CI (high)', borderColor: color(i), borderWidth: 1, borderDash: [2, 3], pointRadius: 0, data: s.points.map((p) => ({ x: p[0], y: p[3] })) },
    ]) }, options: { parsing: false, plugins: { title: { display: true, text: 'Random loss: batch completion, mean over trials with 95% CI' },
      legend: { labels: { filter: (item) => !item.text.endsWith('(high)') } } },
      scales: { x: { type: 'linear', title: { display: true, text: 'loss % (each direction)' } }, y: { title: { display: true, text: 'ms' } } } } });
  });
  document.body.dataset.chartsReady = String(document.querySelectorAll('canvas').length);
})();
`;
