import { setMaxListeners } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { create } from '@bufbuild/protobuf';
import type { RealtimeClient, RealtimeClientOptions } from '../../clients/realtime/index.js';
import { findRealtime, type RealtimeEntry } from '../../protocols/realtime-registry.js';
import { type FeedEvent, PostSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { Cell, CellKey, LoadSpec } from '../results/schema.js';
import type { CellPlan } from './plan.js';
import type { CellRunOptions } from './run-cell.js';
import { type ServicesControl, ServicesUnsupportedError } from './services-process.js';

/** Clients connecting at once: enough to be quick, few enough not to look like a SYN flood. */
export const CONNECT_BATCH = 100;

/**
 * A fleet of realtime clients for one push cell: a factory with the cell's
 * URL, transport, encoding, CA and per-client backoff seed (seed + index, so
 * clients spread out instead of reconnecting in lockstep), a cell signal that
 * follows the run's (sized so thousands of subscriptions do not trip Node's
 * listener-leak warning), and one place that closes everything.
 */
export class PushFleet {
  readonly clients: RealtimeClient[] = [];
  readonly signal: AbortSignal;
  private readonly abort = new AbortController();
  private readonly forward = (): void => this.abort.abort();
  private closing: Promise<void> | undefined;

  constructor(
    readonly entry: RealtimeEntry,
    private readonly plan: Extract<CellPlan, { kind: 'run' }>,
    private readonly options: CellRunOptions,
    size: number,
    private readonly reconnect: RealtimeClientOptions['reconnect'] = {},
  ) {
    setMaxListeners(size + 64, this.abort.signal);
    options.signal.addEventListener('abort', this.forward, { once: true });
    this.signal = this.abort.signal;
  }

  /** A new client, tracked for close(); `index` picks its backoff seed. */
  client(index: number): RealtimeClient {
    const client = this.entry.createClient({
      url: this.options.url,
      transport: this.plan.transport,
      encoding: this.plan.encoding,
      // The registry's client variant for this cell (e.g. Socket.IO's websocket or polling transport).
      ...this.entry.variants?.find((v) => v.name === this.plan.variant)?.options,
      reconnect: { ...this.reconnect, seed: this.options.seed + index },
      ...(this.options.caPem ? { caPem: this.options.caPem } : {}),
    });
    this.clients.push(client);
    return client;
  }

  /** A topic of the cell's own, so no other cell's events or subscribers mix in. */
  topic(scenario: string): string {
    const p = this.plan;
    return `wb-${scenario}-${p.protocol}-${p.transport}-${p.encoding}${p.variant ? `-${p.variant}` : ''}-${this.options.seed}`;
  }

  /** Runs `start(index)` for indexes [from, from + count) in batches of CONNECT_BATCH. */
  async ramp(from: number, count: number, start: (index: number) => Promise<void>): Promise<void> {
    for (let i = 0; i < count && !this.signal.aborted; i += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - i) }, (_, j) => from + i + j);
      await Promise.all(batch.map(start));
    }
  }

  /** Ends every subscription and closes every client; safe to call again. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.options.signal.removeEventListener('abort', this.forward);
      this.abort.abort();
      await Promise.allSettled(this.clients.map((c) => c.close()));
    })();
    return this.closing;
  }
}

/** A post published by a push scenario: its index in the title, a body of `bodyBytes` filler. */
export function benchPost(prefix: string, index: number, bodyBytes: number) {
  return {
    case: 'post' as const,
    value: create(PostSchema, {
      id: `${prefix}-${index}`,
      title: `${prefix} #${index}`,
      body: 'x'.repeat(bodyBytes),
    }),
  };
}

/** Whether an event is one of this cell's posts on `topic` (anything else is foreign: a mismatch). */
export function isBenchPost(event: FeedEvent, topic: string, prefix: string): boolean {
  return (
    event.topic === topic &&
    event.payload.case === 'post' &&
    (event.payload.value as { title: string }).title.startsWith(`${prefix} #`)
  );
}

/** Resolves true once `done()` holds, false at the deadline or on abort; polls every 10 ms. */
export async function waitUntil(
  done: () => boolean,
  deadlineMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() >= end || signal.aborted) return false;
    await sleep(10);
  }
  return true;
}

/** Rejects with `what` timed out after `ms` unless `promise` settles first. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: expected within ${ms} ms, got nothing`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The results key of a push cell (variant only when the registry has several). */
export function pushCellKey(scenario: string, plan: Extract<CellPlan, { kind: 'run' }>): CellKey {
  return {
    scenario,
    protocol: plan.protocol,
    transport: plan.transport,
    network: plan.network,
    encoding: plan.encoding,
    ...(plan.variant ? { variant: plan.variant } : {}),
  };
}

/**
 * What the connections and reconnect-storm cells need before any client
 * connects: the realtime entry and a services control channel that can
 * count and cut this server's connections — or the skipped (or failed) cell
 * that says why not.
 */
export async function preparePushCell(
  scenario: string,
  plan: Extract<CellPlan, { kind: 'run' }>,
  options: CellRunOptions,
  load: LoadSpec,
): Promise<{ key: CellKey; entry: RealtimeEntry; services: ServicesControl } | Cell> {
  const key = pushCellKey(scenario, plan);
  const skip = (reason: string): Cell => ({ ...key, load, state: 'skipped', reason });
  const entry = findRealtime(plan.protocol);
  if (!entry) return skip(`${plan.protocol}: no push adapter`);
  const services = options.services;
  if (!services) {
    return skip(
      `${scenario}: needs the services control channel (live connections, memory, cuts), which this cell runner lacks`,
    );
  }
  try {
    const unsupported = await controlUnsupported(services, plan);
    return unsupported ? skip(`${scenario}: ${unsupported}`) : { key, entry, services };
  } catch (error) {
    return { ...key, load, state: 'failed', reason: (error as Error).message ?? String(error) };
  }
}

/**
 * Whether the services can count and cut this cell's server's connections:
 * undefined when they can, else the reason to skip the cell with (asked
 * before any client connects, so a skip costs nothing).
 */
export async function controlUnsupported(
  services: ServicesControl,
  plan: Extract<CellPlan, { kind: 'run' }>,
): Promise<string | undefined> {
  try {
    await services.liveConnections(plan.protocol, plan.transport);
    return undefined;
  } catch (error) {
    if (error instanceof ServicesUnsupportedError) return error.message;
    throw error;
  }
}

/** File descriptors kept free for the cell's own needs (publisher, cold samples, `ss`, logs) beyond a fleet. */
export const FD_RESERVE = 512;
/**
 * The share of the memory available when a fleet starts that it may take:
 * the services process grows with it (one server-side connection per
 * client) and the machine is shared. A QUIC client holds ~1 MB natively
 * (10,000 took 12 GB in one process here), so this is what caps it.
 */
export const MEMORY_SHARE = 0.5;

/** What a fleet's size is bounded by, read between batches. */
export interface FleetProbe {
  /** Open-file limit and descriptors open now; undefined where /proc is missing (not Linux). */
  readonly fds: { readonly limit: number; readonly open: number } | undefined;
  /** This process's resident set (bytes) and the machine's available memory (bytes). */
  readonly rssBytes: number;
  readonly availableBytes: number;
}

/**
 * Reads the probe. Node raises the soft open-file limit to the hard one at
 * start-up, so the limit read here is what a fleet may really use, with or
 * without root; `os.freemem()` is the kernel's MemAvailable.
 */
export function probeFleet(): FleetProbe {
  return { fds: fileDescriptors(), rssBytes: process.memoryUsage.rss(), availableBytes: freemem() };
}

function fileDescriptors(): FleetProbe['fds'] {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    const limit = soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
    if (Number.isNaN(limit)) return undefined;
    return { limit, open: readdirSync('/proc/self/fd').length };
  } catch {
    return undefined;
  }
}

/**
 * The largest fleet this process can hold: `added` clients connected
 * between probes `before` and `now` show what one more costs in file
 * descriptors (at least one) and resident memory; the rest must fit the
 * open-file limit (minus FD_RESERVE) and MEMORY_SHARE of the memory
 * available at `before`. Never more than `target`; `reason` says which
 * bound capped it, with the figures, for the cell's notes.
 */
export function fleetCap(
  target: number,
  connected: number,
  added: number,
  before: FleetProbe,
  now: FleetProbe,
): { readonly cap: number; readonly reason?: string } {
  const n = Math.max(1, added);
  let cap = target;
  let reason: string | undefined;
  if (before.fds && now.fds) {
    const perClient = Math.max(1, (now.fds.open - before.fds.open) / n);
    const room = connected + Math.max(0, Math.floor((now.fds.limit - now.fds.open - FD_RESERVE) / perClient));
    if (room < cap) {
      cap = room;
      reason = `the open-file limit (${now.fds.limit}) holds no more at ${perClient.toFixed(1)} descriptors per subscriber (raise \`ulimit -Hn\` to run all)`;
    }
  }
  const perClientBytes = (now.rssBytes - before.rssBytes) / n;
  if (perClientBytes > 0) {
    const budget = before.availableBytes * MEMORY_SHARE - (now.rssBytes - before.rssBytes);
    const room = connected + Math.max(0, Math.floor(budget / perClientBytes));
    if (room < cap) {
      cap = room;
      const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MB`;
      reason = `memory: ${(perClientBytes / 1024).toFixed(0)} KB resident per subscriber in this process, and ${MEMORY_SHARE * 100}% of the ${mb(before.availableBytes)} available holds no more`;
    }
  }
  return reason ? { cap, reason } : { cap };
}
