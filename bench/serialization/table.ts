import type { SerializationResult } from './run.js';
import { COMPRESSION } from './sizes.js';
import type { TimingStats } from './timing.js';

/**
 * The records as a Markdown table: sizes raw and compressed (with the ratio
 * to REST JSON of the same message), then encode and decode per operation as
 * mean ± relative margin of error, p50, p99 and sample count, in µs.
 */
export function renderTable(records: readonly SerializationResult[]): string {
  const jsonBytes = new Map(records.filter((r) => r.format === 'json').map((r) => [r.message, r.bytes]));
  const timing = (s: TimingStats) =>
    `${us(s.meanNs)} | ±${s.rmePct.toFixed(1)}% | ${us(s.p50Ns)} | ${us(s.p99Ns)} | ${s.samples}`;
  const rows = records.map((r) => {
    const json = jsonBytes.get(r.message);
    const ratio = json ? `${(r.bytes / json).toFixed(2)}` : '–';
    return `| ${r.message} | ${r.format} | ${r.bytes} | ${ratio} | ${r.gzipBytes} | ${r.brotliBytes} | ${r.brotliMaxBytes ?? '–'} | ${timing(r.encode)} | ${timing(r.decode)} |`;
  });
  const timingHead = (what: string) => `${what} µs | ± | p50 | p99 | n`;
  return [
    `| message | format | bytes | × json | gzip ${COMPRESSION.gzipLevel} | br ${COMPRESSION.brotliQuality} | br ${COMPRESSION.brotliMaxQuality} | ${timingHead('encode')} | ${timingHead('decode')} |`,
    `|---|---|${'--:|'.repeat(15)}`,
    ...rows,
    '',
  ].join('\n');
}

/** Microseconds with about three significant digits. */
function us(ns: number): string {
  const v = ns / 1000;
  return v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0);
}
