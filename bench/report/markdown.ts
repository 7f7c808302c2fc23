import type { Cell, CompletedCell, Results } from '../results/schema.js';
import { handshakeSection } from './handshake-section.js';
import { holSections } from './hol-table.js';
import { insights } from './insights.js';
import { pushSections } from './push-sections.js';
import { significanceLegend, type Verdict, verdicts } from './significance.js';

const fmt = (n: number | null | undefined, digits = 2): string =>
  n === null || n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits);
const bytes = (n: number | null | undefined): string =>
  n === null || n === undefined ? '–' : n >= 10_000 ? `${(n / 1024).toFixed(1)} KiB` : `${Math.round(n)} B`;

/**
 * report.md: one table per scenario (and network), protocols × transports as
 * rows, metrics as columns. A view of results.json — regenerate it with
 * `npm run report -- DIR`, never edit it.
 */
export function renderMarkdown(results: Results): string {
  const { run, environment } = results;
  const out: string[] = [
    `# wirebench results — ${run.id}`,
    '',
    `Profile \`${run.profile}\`, seed ${run.seed}, dataset \`${run.datasetPreset}\`, ${run.status}. ` +
      `Node ${environment.node} on ${environment.platform} ${environment.kernel}, ` +
      `${environment.cpus} × ${environment.cpuModel}; TCP congestion control ${environment.tcpCongestionControl ?? 'unknown'}.`,
    '',
    'Latency: to the last response byte, from the call start (closed loop) or from the intended send time (open loop: coordinated-omission corrected). ' +
      'TTFB warm: call start to first response byte on an open connection. TTFB cold: connection start to first ' +
      'response byte. Wire: TCP payload per operation as the kernel counts it (tcp_info), so headers/framing = wire − body.',
    '',
    significanceLegend(run.seed),
    '',
  ];
  if (run.budget) out.push(budgetLine(run.budget), '');
  const absent = [...new Set(results.cells.filter(isAbsent).map((c) => c.protocol))];
  if (absent.length > 0) {
    out.push(
      `Not measured — no adapter in this version: ${absent.join(', ')} (every such cell is in results.json as skipped).`,
      '',
    );
  }
  for (const table of renderMarkdownTables(results)) out.push(`## ${table.title}`, '', table.markdown, '');
  out.push(
    ...saturationSection(results),
    ...handshakeSection(results),
    ...pushSections(results),
    ...holSections(results),
    ...serializationSection(results),
  );
  const notes = insights(results);
  if (notes.length > 0) out.push('## What wins where', '', ...notes.map((n) => `- ${n}`), '');
  return `${out.join('\n')}\n`;
}

/** How the run kept its wall-clock budget (results.json `run.budget`): scaling and budget skips said up front. */
function budgetLine(b: NonNullable<Results['run']['budget']>): string {
  const scale =
    b.scale === 1 && b.finalScale === 1
      ? 'the profile as written'
      : `the profile's timings and fleets ${b.scale === 0 ? 'at their floors' : `× ${b.scale}`}${b.finalScale < b.scale ? ` (× ${b.finalScale} by the end, ${b.rescaledCells} cells rescaled)` : ''}`;
  const skipped = b.skippedCells > 0 ? `; ${b.skippedCells} cells skipped: budget exhausted` : '';
  return `Budget ${b.budgetS} s: estimated ${b.estimateS} s (${b.unscaledEstimateS} s unscaled), ran ${b.elapsedS} s with ${scale}${b.durationFixed ? ', --duration fixed' : ''}${skipped}.`;
}

/** One Markdown table per scenario and network, in result order. */
export function renderMarkdownTables(results: Results): { title: string; markdown: string }[] {
  const groups = new Map<string, Cell[]>();
  for (const cell of results.cells) {
    if (isAbsent(cell)) continue;
    const key = `${cell.scenario} · ${cell.network}`;
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  return [...groups].map(([title, cells]) => ({
    title,
    markdown: table(cells, verdicts(title, cells.filter(isCompleted), results.run.seed)),
  }));
}

const isCompleted = (c: Cell): c is CompletedCell => c.state === 'completed';

function table(cells: readonly Cell[], marks: readonly Verdict[]): string {
  // A figure in bold is the best of its column, significantly (see the legend).
  const mark = (c: Cell, metric: Verdict['metric'], text: string): string =>
    marks.some((v) => v.metric === metric && v.significant && v.best === c) ? `**${text}**` : text;
  const out = [
    '| protocol | transport | enc | state | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | TTFB p50 | cold TTFB p50 | resp body | resp wire | req wire | errors |',
    '|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of cells) {
    if (c.state !== 'completed') {
      out.push(
        `| ${c.protocol} | ${c.transport} | ${encodingLabel(c)} | ${c.state}: ${c.reason.replaceAll('|', '\\|')} ${'| '.repeat(12)}|`,
      );
      continue;
    }
    const failures = c.counts.errors + c.counts.timeouts + c.counts.mismatches;
    out.push(
      `| ${c.protocol} | ${c.transport} | ${encodingLabel(c)} | completed | ${fmt(c.throughputRps, 0)}${c.clientBound ? ' (client-bound)' : ''} | ` +
        `${mark(c, 'p50', fmt(c.latencyMs.p50, 3))} | ${fmt(c.latencyMs.p90, 3)} | ${mark(c, 'p99', fmt(c.latencyMs.p99, 3))} | ${fmt(c.latencyMs.p999, 3)} | ` +
        `${fmt(c.latencyMs.max, 3)} | ${mark(c, 'ttfbP50', fmt(c.ttfbMs.p50, 3))} | ${mark(c, 'ttfbColdP50', fmt(c.ttfbColdMs.p50, 3))} | ${bytes(c.bytesPerOp.responseBody)} | ` +
        `${bytes(c.bytesPerOp.responseWire)} | ${bytes(c.bytesPerOp.requestWire)} | ${failures} |`,
    );
  }
  return out.join('\n');
}

/** Latency vs offered load per saturated cell, with the knee and the Little's-law check. */
function saturationSection(results: Results): string[] {
  const out: string[] = [];
  for (const c of results.cells) {
    if (c.state !== 'completed' || !c.saturation) continue;
    const s = c.saturation;
    const knee =
      s.kneeRps === null
        ? 'no knee within the steps'
        : `knee at ≈ ${s.kneeRps.toFixed(0)} req/s (${s.kneeReason})`;
    out.push(
      `### Saturation — ${c.protocol}/${c.transport} · ${c.network}`,
      '',
      `Capacity estimate ${s.capacityEstimateRps.toFixed(0)} req/s (closed loop); ${knee}.`,
      '',
      '| offered req/s | completed req/s | p50 ms | p99 ms (corrected) | L measured | λW | errors |',
      '|--:|--:|--:|--:|--:|--:|--:|',
      ...s.steps.map(
        (st) =>
          `| ${fmt(st.offeredRps, 0)} | ${fmt(st.throughputRps, 0)} | ${fmt(st.p50Ms, 3)} | ${fmt(st.p99Ms, 3)} | ` +
          `${fmt(st.meanInFlight, 2)} | ${fmt(st.littleLambdaW, 2)} | ${st.errors} |`,
      ),
      '',
    );
  }
  return out;
}

/** The encoding column, with the client variant when there is one (`json · no-dataloader`). */
function encodingLabel(c: Cell): string {
  return c.variant ? `${c.encoding} · ${c.variant}` : c.encoding;
}

/** Sizes and encode/decode cost per wire format (means; bench:serialization gives rme and p99). */
function serializationSection(results: Results): string[] {
  if (results.serialization.length === 0) return [];
  return [
    '## Serialization (no transport)',
    '',
    '| message | format | bytes | gzip | brotli | encode µs | decode µs |',
    '|---|---|--:|--:|--:|--:|--:|',
    ...results.serialization.map(
      (r) =>
        `| ${r.message} | ${r.format} | ${r.bytes} | ${r.gzipBytes} | ${r.brotliBytes} | ${fmt(r.encodeNs / 1000, 2)} | ${fmt(r.decodeNs / 1000, 2)} |`,
    ),
    '',
  ];
}

/** A protocol with no adapter at all: listed once at the top instead of in every table. */
function isAbsent(c: Cell): boolean {
  return c.state === 'skipped' && c.transport === '-' && c.reason.endsWith('no adapter in this version');
}
