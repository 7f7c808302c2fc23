import { type Link, linkUp, NetemUnavailableError } from '../../netem/index.js';
import type { FeedCore } from '../../services/core/index.js';
import type { Cell, LoadSpec, NetworkRecord } from '../results/schema.js';
import { runCellGuarded } from './cell-guard.js';
import { startCellWorker } from './cell-worker-process.js';
import { type CellPlan, runKey } from './plan.js';
import type { Profile } from './profiles.js';
import { type ServicesProcess, startServicesProcess } from './services-process.js';

type RunPlan = Extract<CellPlan, { kind: 'run' }>;

/** Where one network's cells run: its services, its load generator, its record for results.json. */
export interface NetworkEnv {
  readonly record: NetworkRecord;
  readonly services: ServicesProcess | undefined;
  run(
    plan: RunPlan,
    options: { profile: Profile; load: LoadSpec; seed: number; signal: AbortSignal },
  ): Promise<Cell>;
  /** Stops the cell under way at its next check (Ctrl-C); its partial figures are kept. */
  abort(): void;
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly plans: readonly RunPlan[];
  readonly seed: number;
  readonly dataset: 'small' | 'medium' | 'large';
  readonly netem: 'auto' | 'tc' | 'userspace' | 'off';
  readonly oracle: FeedCore;
  readonly log: (line: string) => void;
}

const LOOPBACK_RECORD: NetworkRecord = {
  name: 'loopback',
  emulation: 'none',
  configured: { delayMs: 0, jitterMs: 0, lossPct: 0, rateMbit: null },
  measured: { rttMs: null, lossPct: null, rateMbit: null },
};

/**
 * Opens a network: loopback runs services in a child process and cells in
 * this process; an emulated network brings the link up (netem/), starts the
 * services in the server namespace and a cell worker in the client namespace,
 * so every byte — QUIC included — crosses the impaired link. Returns a reason
 * string instead when the network cannot be had here (not root, no TUN, …).
 */
export async function openNetwork(name: string, options: OpenOptions): Promise<NetworkEnv | string> {
  const protocols = [...new Set(options.plans.map((p) => p.protocol))];
  const transports = [...new Set(options.plans.map((p) => p.transport))];
  if (name === 'loopback') {
    const services =
      protocols.length > 0
        ? await startServicesProcess({ protocols, transports, seed: options.seed, dataset: options.dataset })
        : undefined;
    if (services) options.log(`bench: services for ${name} running as pid ${services.pid}`);
    return {
      record: LOOPBACK_RECORD,
      services,
      run: (plan, o) =>
        runCellGuarded(plan, {
          url: endpointUrl(services, plan),
          caPem: services?.caPem,
          oracle: options.oracle,
          ...o,
          ...(services ? { backendCalls: services.backendCalls, services } : {}),
        }),
      abort: () => {},
      close: async () => {
        await services?.close();
      },
    };
  }
  if (options.netem === 'off') return `${name}: link emulation is off (--netem off)`;
  let link: Link;
  try {
    link = await linkUp({
      network: name,
      mode: options.netem,
      seed: options.seed,
      verify: true,
      log: options.log,
    });
  } catch (error) {
    if (error instanceof NetemUnavailableError) return `${name}: ${error.message}`;
    throw error;
  }
  let services: ServicesProcess | undefined;
  try {
    services = await startServicesProcess({
      protocols,
      transports,
      seed: options.seed,
      dataset: options.dataset,
      host: link.server.addr ?? '127.0.0.1',
      prefix: link.exec('server'),
    });
    const live = services;
    options.log(`bench: services for ${name} running as pid ${live.pid} in ${link.server.netns}`);
    const worker = await startCellWorker(link.exec('client'), live.backendCalls, live);
    const measured = link.measured;
    return {
      record: {
        name,
        emulation: link.mode,
        configured: link.configured,
        measured: {
          rttMs: measured?.rttMs ?? null,
          lossPct: measured?.lossPct ?? null,
          rateMbit: measured?.rateMbit ?? null,
          ...(measured ? { detail: measured } : {}),
        },
      },
      services: live,
      run: (plan, o) =>
        worker.run({
          plan: runKey(plan),
          url: endpointUrl(live, plan),
          ...(live.caPem ? { caPem: live.caPem } : {}),
          load: o.load,
          seed: o.seed,
          profile: o.profile,
          dataset: options.dataset,
        }),
      abort: () => worker.abort(),
      close: async () => {
        await worker.close();
        await live.close();
        await link.down();
      },
    };
  } catch (error) {
    await services?.close();
    await link.down();
    throw error;
  }
}

function endpointUrl(services: ServicesProcess | undefined, plan: RunPlan): string {
  const endpoint = services?.endpoints.find(
    (e) => e.protocol === plan.protocol && e.transport === plan.transport,
  );
  if (!endpoint) throw new Error(`${plan.protocol}/${plan.transport}: expected a running service, got none`);
  return endpoint.url;
}
