import { LinkSpecError, parseBytes, parsePercent, parseRate, parseTime } from './units.js';

/**
 * Packet loss per direction. `gilbert-elliott` follows tc-netem's `loss
 * gemodel p r 1-h 1-k`: a two-state chain (good/bad) moved before each
 * packet, then a loss draw with the state's loss probability — bursty loss
 * as radio links show it, which random loss cannot produce.
 */
export type LossModel =
  | { readonly kind: 'random'; readonly pct: number }
  | {
      readonly kind: 'gilbert-elliott';
      /** P(good → bad) per packet, percent. */
      readonly pPct: number;
      /** P(bad → good) per packet, percent. */
      readonly rPct: number;
      /** Loss probability in the bad state (tc's 1-h), percent; default 100. */
      readonly badLossPct: number;
      /** Loss probability in the good state (tc's 1-k), percent; default 0. */
      readonly goodLossPct: number;
    };

/** Jitter distribution; both tc-netem and the userspace emulator implement these two. */
export type JitterDistribution = 'uniform' | 'normal';

/** Impairment of one direction of the link. */
export interface DirectionConfig {
  /** One-way delay added to every packet (ms). */
  readonly delayMs: number;
  /** Jitter: half-width (uniform) or standard deviation (normal), ms. */
  readonly jitterMs: number;
  readonly distribution: JitterDistribution;
  readonly loss: LossModel;
  /** Serialization rate in Mbit/s of IP bytes; null = unlimited. */
  readonly rateMbit: number | null;
  /** Drop-tail queue limit in bytes in front of the rate; null = default (100 ms at `rate`). */
  readonly queueBytes: number | null;
  /** Percent of packets sent without the delay (tc-netem's `reorder`); 0 keeps order. */
  readonly reorderPct: number;
  /** Percent of packets sent twice. */
  readonly duplicatePct: number;
}

/**
 * Deterministic drop for head-of-line experiments: the `k`-th server→client
 * data packet (TCP payload > 0, or any UDP datagram) of every flow whose
 * server port is `serverPort` and protocol `proto` is dropped, once per flow
 * (a flow is the 5-tuple, so each new connection is hit again).
 */
export interface DropNth {
  readonly proto: 'tcp' | 'udp';
  readonly serverPort: number;
  readonly k: number;
}

/** Everything that defines one emulated link. */
export interface LinkConfig {
  /** Profile name, or `custom`. */
  readonly name: string;
  /** client → server */
  readonly up: DirectionConfig;
  /** server → client */
  readonly down: DirectionConfig;
  readonly dropNth: DropNth | null;
  /** Seeds every random choice of the userspace emulator (per direction streams). */
  readonly seed: number;
  /** TCP congestion control set in both namespaces. */
  readonly cc: string;
}

/** A direction with nothing applied. */
export const CLEAN_DIRECTION: DirectionConfig = {
  delayMs: 0,
  jitterMs: 0,
  distribution: 'uniform',
  loss: { kind: 'random', pct: 0 },
  rateMbit: null,
  queueBytes: null,
  reorderPct: 0,
  duplicatePct: 0,
};

/** Mean loss of a model in percent (stationary probability for Gilbert-Elliott). */
export function meanLossPct(loss: LossModel): number {
  if (loss.kind === 'random') return loss.pct;
  const sum = loss.pPct + loss.rPct;
  const bad = sum === 0 ? 0 : loss.pPct / sum;
  return bad * loss.badLossPct + (1 - bad) * loss.goodLossPct;
}

/** Default queue: 100 ms of data at the rate, within 64 KiB..4 MiB (a typical home-router buffer). */
export function effectiveQueueBytes(d: DirectionConfig): number | null {
  if (d.rateMbit === null) return null;
  if (d.queueBytes !== null) return d.queueBytes;
  const hundredMs = (d.rateMbit * 1e6 * 0.1) / 8;
  return Math.round(Math.min(4 * 1024 * 1024, Math.max(64 * 1024, hundredMs)));
}

/** `random` loss from `1%`, Gilbert-Elliott from `ge:p:r[:1-h[:1-k]]` (percentages, like tc's gemodel). */
export function parseLoss(key: string, value: string): LossModel {
  if (!value.startsWith('ge:')) return { kind: 'random', pct: parsePercent(key, value) };
  const parts = value.slice(3).split(':');
  if (parts.length < 2 || parts.length > 4) {
    throw new LinkSpecError(`${key}: expected ge:p%:r%[:1-h%[:1-k%]], got "${value}"`);
  }
  const [p, r, bad, good] = parts.map((s) => parsePercent(key, s));
  return { kind: 'gilbert-elliott', pPct: p!, rPct: r!, badLossPct: bad ?? 100, goodLossPct: good ?? 0 };
}

/** `tcp:8443:3` → drop the 3rd server→client data packet of each TCP flow from port 8443. */
export function parseDropNth(key: string, value: string): DropNth {
  const m = /^(tcp|udp):(\d{1,5}):(\d+)$/.exec(value);
  const port = Number(m?.[2]);
  const k = Number(m?.[3]);
  if (!m || port < 1 || port > 65535 || k < 1) {
    throw new LinkSpecError(`${key}: expected tcp|udp:PORT:K like tcp:8443:3, got "${value}"`);
  }
  return { proto: m[1] as 'tcp' | 'udp', serverPort: port, k };
}

/** Keys accepted in a custom spec and as `up --key value` flags. */
export const SPEC_KEYS = [
  'delay',
  'jitter',
  'distribution',
  'loss',
  'rate',
  'up-rate',
  'queue',
  'reorder',
  'duplicate',
  'drop',
] as const;
export type SpecKey = (typeof SPEC_KEYS)[number];

/** Settings as written by a user, before they are applied to a base link. */
export type SpecOverrides = Partial<Record<SpecKey, string>>;

/**
 * Parses `delay=40ms,jitter=5ms,loss=1%,rate=20mbit` (the contract's custom
 * network syntax). Values apply to both directions except `up-rate`
 * (client → server rate, defaults to `rate`) and `drop` (server → client).
 */
export function parseLinkSpec(spec: string): SpecOverrides {
  const out: SpecOverrides = {};
  for (const item of spec.split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    const key = trimmed.slice(0, eq) as SpecKey;
    if (eq < 1 || !SPEC_KEYS.includes(key)) {
      throw new LinkSpecError(`expected key=value with key one of ${SPEC_KEYS.join(', ')}, got "${trimmed}"`);
    }
    out[key] = trimmed.slice(eq + 1);
  }
  if (Object.keys(out).length === 0)
    throw new LinkSpecError(`expected at least one key=value, got "${spec}"`);
  return out;
}

/** Applies user overrides to a base link (a profile, or a clean link). Every value is validated. */
export function applyOverrides(base: LinkConfig, o: SpecOverrides): LinkConfig {
  const both: Partial<{ -readonly [K in keyof DirectionConfig]: DirectionConfig[K] }> = {};
  if (o.delay !== undefined) both.delayMs = parseTime('delay', o.delay);
  if (o.jitter !== undefined) both.jitterMs = parseTime('jitter', o.jitter);
  if (o.distribution !== undefined) {
    if (o.distribution !== 'uniform' && o.distribution !== 'normal') {
      throw new LinkSpecError(`distribution: expected uniform or normal, got "${o.distribution}"`);
    }
    both.distribution = o.distribution;
  }
  if (o.loss !== undefined) both.loss = parseLoss('loss', o.loss);
  if (o.queue !== undefined) both.queueBytes = parseBytes('queue', o.queue);
  if (o.reorder !== undefined) both.reorderPct = parsePercent('reorder', o.reorder);
  if (o.duplicate !== undefined) both.duplicatePct = parsePercent('duplicate', o.duplicate);
  const rate = o.rate === undefined ? undefined : parseRate('rate', o.rate);
  const upRate = o['up-rate'] === undefined ? rate : parseRate('up-rate', o['up-rate']);
  const up = { ...base.up, ...both, ...(upRate === undefined ? {} : { rateMbit: upRate }) };
  const down = { ...base.down, ...both, ...(rate === undefined ? {} : { rateMbit: rate }) };
  for (const d of [up, down]) {
    if (d.reorderPct > 0 && d.delayMs === 0)
      throw new LinkSpecError('reorder: needs a delay to reorder against');
  }
  const dropNth = o.drop === undefined ? base.dropNth : parseDropNth('drop', o.drop);
  const changed = Object.keys(o).length > 0;
  return {
    ...base,
    name: changed && base.name !== 'clean' ? `${base.name}+custom` : base.name,
    up,
    down,
    dropNth,
  };
}

/** A link with no impairment, the base for a custom spec. */
export function cleanLink(seed = 1, cc = 'cubic'): LinkConfig {
  return { name: 'clean', up: CLEAN_DIRECTION, down: CLEAN_DIRECTION, dropNth: null, seed, cc };
}

/** A link from a custom spec string alone (`delay=40ms,...`), named `custom`. */
export function linkFromSpec(spec: string, seed = 1, cc = 'cubic'): LinkConfig {
  return { ...applyOverrides(cleanLink(seed, cc), parseLinkSpec(spec)), name: 'custom' };
}

/** The flat summary the results schema records (`configured` in results.json and `status --json`). */
export function summarize(c: LinkConfig): {
  delayMs: number;
  jitterMs: number;
  lossPct: number;
  rateMbit: number | null;
  rttMs: number;
  upLossPct: number;
  upRateMbit: number | null;
  cc: string;
  seed: number;
} {
  return {
    delayMs: c.down.delayMs,
    jitterMs: c.down.jitterMs,
    lossPct: meanLossPct(c.down.loss),
    rateMbit: c.down.rateMbit,
    rttMs: c.up.delayMs + c.down.delayMs,
    upLossPct: meanLossPct(c.up.loss),
    upRateMbit: c.up.rateMbit,
    cc: c.cc,
    seed: c.seed,
  };
}
