/**
 * Unit parsing for link settings. Errors say what was expected and what
 * arrived, because these strings come straight from users and flags.
 */

/** A link-setting mistake; CLIs print it as one line and exit 2. */
export class LinkSpecError extends Error {
  override readonly name = 'LinkSpecError';
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
const RATE_UNITS: Record<string, number> = { bit: 1e-6, kbit: 1e-3, mbit: 1, gbit: 1000 };
const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

function split(value: string): { n: number; unit: string } | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z%]*)\s*$/i.exec(value);
  if (!m) return null;
  return { n: Number(m[1]), unit: (m[2] ?? '').toLowerCase() };
}

/** `40ms`, `500us`, `1.5s`; a bare number means milliseconds. Returns milliseconds. */
export function parseTime(key: string, value: string): number {
  const p = split(value);
  const factor = p ? (p.unit === '' ? 1 : TIME_UNITS[p.unit]) : undefined;
  if (!p || factor === undefined)
    throw new LinkSpecError(`${key}: expected a time like 40ms, got "${value}"`);
  return p.n * factor;
}

/** `1%`, `0.5%`; a bare number means percent. Returns percent in 0..100. */
export function parsePercent(key: string, value: string): number {
  const p = split(value);
  if (!p || (p.unit !== '%' && p.unit !== '') || p.n > 100) {
    throw new LinkSpecError(`${key}: expected a percentage like 1%, got "${value}"`);
  }
  return p.n;
}

/**
 * `20mbit`, `768kbit`, `1gbit` (tc's spelling; `kbps` is refused because tc
 * reads it as kilobytes). Returns Mbit/s; `0` or `none` means unlimited (null).
 */
export function parseRate(key: string, value: string): number | null {
  if (value === 'none' || value === '0') return null;
  const p = split(value);
  const factor = p ? RATE_UNITS[p.unit] : undefined;
  if (!p || factor === undefined || p.n <= 0) {
    throw new LinkSpecError(`${key}: expected a rate like 20mbit or 768kbit, got "${value}"`);
  }
  return p.n * factor;
}

/** `256kb`, `1mb`, `64000b` (1024-based like tc). Returns bytes; at least one full packet (1500). */
export function parseBytes(key: string, value: string): number {
  const p = split(value);
  const factor = p ? BYTE_UNITS[p.unit] : undefined;
  const bytes = p && factor !== undefined ? Math.round(p.n * factor) : 0;
  if (bytes < 1500) {
    throw new LinkSpecError(`${key}: expected a size of at least 1500 bytes like 256kb, got "${value}"`);
  }
  return bytes;
}

/** Formats milliseconds for tc (`25ms`, `250us`). */
export function tcTime(ms: number): string {
  return Number.isInteger(ms) ? `${ms}ms` : `${Math.round(ms * 1000)}us`;
}

/** Formats Mbit/s for tc (`20mbit`, `768kbit`). */
export function tcRate(mbit: number): string {
  return Number.isInteger(mbit) ? `${mbit}mbit` : `${Math.round(mbit * 1000)}kbit`;
}
