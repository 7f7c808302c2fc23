import { readFileSync } from 'node:fs';
import {
  applyOverrides,
  CLEAN_DIRECTION,
  cleanLink,
  type JitterDistribution,
  type LinkConfig,
  type LossModel,
  parseLinkSpec,
} from './link-spec.js';
import { LinkSpecError } from './units.js';

/** One named network profile as stored in `profiles.json`: symmetric delay, per-direction rate, a source. */
export interface Profile {
  readonly name: string;
  readonly description: string;
  /** One-way delay, each direction (ms). */
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly distribution: JitterDistribution;
  readonly loss: LossModel;
  /** server → client (download) rate, Mbit/s. */
  readonly rateMbit: number | null;
  /** client → server (upload) rate, Mbit/s. */
  readonly upRateMbit: number | null;
  /** Where the numbers come from, and which of them are our own choice. */
  readonly source: string;
  readonly url: string | null;
}

type Raw = Record<string, Record<string, unknown>>;

function num(
  name: string,
  raw: Record<string, unknown>,
  key: string,
  fallback: number | null,
): number | null {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0)) return v;
  throw new LinkSpecError(
    `profiles.json ${name}.${key}: expected a non-negative number, got ${JSON.stringify(v)}`,
  );
}

function toProfile(name: string, raw: Record<string, unknown>): Profile {
  const source = raw.source;
  if (typeof source !== 'string' || source.length < 10) {
    throw new LinkSpecError(
      `profiles.json ${name}: every profile needs a "source", got ${JSON.stringify(source)}`,
    );
  }
  const loss = (raw.loss as LossModel | undefined) ?? {
    kind: 'random',
    pct: num(name, raw, 'lossPct', 0) ?? 0,
  };
  return {
    name,
    description: String(raw.description ?? name),
    delayMs: num(name, raw, 'delayMs', 0) ?? 0,
    jitterMs: num(name, raw, 'jitterMs', 0) ?? 0,
    distribution: raw.distribution === 'normal' ? 'normal' : 'uniform',
    loss,
    rateMbit: num(name, raw, 'rateMbit', null),
    upRateMbit: num(name, raw, 'upRateMbit', num(name, raw, 'rateMbit', null)),
    source,
    url: typeof raw.url === 'string' ? raw.url : null,
  };
}

/** Every named profile, read once from the data file (`netem/profiles.json`). */
export const PROFILES: Readonly<Record<string, Profile>> = Object.freeze(
  Object.fromEntries(
    Object.entries(JSON.parse(readFileSync(new URL('./profiles.json', import.meta.url), 'utf8')) as Raw).map(
      ([name, raw]) => [name, toProfile(name, raw)],
    ),
  ),
);

/** Profile names, in file order. */
export const PROFILE_NAMES: readonly string[] = Object.keys(PROFILES);

/** A profile as a link configuration (same delay, jitter and loss each way; rates per direction). */
export function profileLink(name: string, seed = 1, cc = 'cubic'): LinkConfig {
  const p = PROFILES[name];
  if (!p)
    throw new LinkSpecError(`unknown network profile "${name}"; expected one of ${PROFILE_NAMES.join(', ')}`);
  const both = {
    ...CLEAN_DIRECTION,
    delayMs: p.delayMs,
    jitterMs: p.jitterMs,
    distribution: p.distribution,
    loss: p.loss,
  };
  return {
    name,
    up: { ...both, rateMbit: p.upRateMbit },
    down: { ...both, rateMbit: p.rateMbit },
    dropNth: null,
    seed,
    cc,
  };
}

/**
 * Resolves what the bench's `--networks` item or `netem.sh up` names: a
 * profile (`4g`), a custom spec (`delay=40ms,loss=1%`), or a profile with
 * overrides (`4g,loss=2%`). `loopback` is the bench's business, not a link.
 */
export function resolveNetwork(spec: string, seed = 1, cc = 'cubic'): LinkConfig {
  const [head, ...rest] = spec.split(',');
  if (head !== undefined && !head.includes('=')) {
    const base = profileLink(head.trim(), seed, cc);
    return rest.length === 0 ? base : applyOverrides(base, parseLinkSpec(rest.join(',')));
  }
  return { ...applyOverrides(cleanLink(seed, cc), parseLinkSpec(spec)), name: 'custom' };
}
