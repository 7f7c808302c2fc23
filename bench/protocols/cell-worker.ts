import { JsonLines } from '../../lib/json-lines.js';
import type { EncodingId, ProtocolId, TransportId } from '../../protocols/types.js';
import { DATASET_PRESETS, type DatasetPresetName, FeedCore } from '../../services/core/index.js';
import type { Cell, LoadSpec } from '../results/schema.js';
import { findScenario } from '../scenarios/catalog.js';
import { runCellGuarded } from './cell-guard.js';
import type { Profile } from './profiles.js';
import { type ServicesControl, ServicesUnsupportedError } from './services-process.js';

/** A cell to run, as it crosses the process boundary (scenarios travel by name). */
export interface CellJob {
  readonly type: 'run';
  readonly id: number;
  readonly plan: {
    readonly scenario: string;
    readonly protocol: ProtocolId;
    readonly transport: TransportId;
    readonly network: string;
    readonly encoding: EncodingId;
    readonly variant?: string;
  };
  readonly url: string;
  readonly caPem?: string;
  readonly load: LoadSpec;
  readonly seed: number;
  readonly profile: Profile;
  readonly dataset: DatasetPresetName;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'backend?' }
  | {
      readonly type: 'control?';
      readonly id: number;
      readonly method: keyof ServicesControl;
      readonly args: readonly string[];
    }
  | { readonly type: 'cell'; readonly id: number; readonly cell: Cell };

export type ParentMessage =
  | CellJob
  | { readonly type: 'backend'; readonly value: number }
  | {
      readonly type: 'control';
      readonly id: number;
      readonly value?: unknown;
      readonly error?: string;
      /** The error was the services saying the server cannot do this (a skip, not a failure). */
      readonly unsupported?: boolean;
    }
  | { readonly type: 'abort' };

/**
 * The load generator as a child process, for emulated networks: it runs in
 * the client namespace (`ip netns exec wb-client …`) so its traffic crosses
 * the impaired link, and its `ss` readings see that namespace's sockets.
 * Jobs arrive as JSON lines on stdin, cells go back on stdout; backend-call
 * counts are asked of the parent, which relays them from the services.
 * Exits when stdin closes.
 */
function main(): void {
  const channel = new JsonLines(process.stdin, process.stdout);
  const abort = new AbortController();
  const oracles = new Map<string, FeedCore>();
  let queue = Promise.resolve();
  channel.on((raw) => {
    const message = raw as ParentMessage;
    if (message.type === 'abort') abort.abort();
    if (message.type !== 'run') return;
    queue = queue.then(async () => {
      const scenario = findScenario(message.plan.scenario);
      if (!scenario)
        throw new Error(`cell-worker: expected a known scenario, got "${message.plan.scenario}"`);
      const key = `${message.seed}:${message.dataset}`;
      const oracle =
        oracles.get(key) ?? new FeedCore({ seed: message.seed, preset: DATASET_PRESETS[message.dataset] });
      oracles.set(key, oracle);
      const cell = await runCellGuarded(
        { kind: 'run', ...message.plan, scenario },
        {
          url: message.url,
          caPem: message.caPem,
          oracle,
          profile: message.profile,
          load: message.load,
          seed: message.seed,
          signal: abort.signal,
          services: relayedControl(channel),
          backendCalls: async () => {
            const reply = channel.next(
              (m): m is { type: 'backend'; value: number } => (m as ParentMessage).type === 'backend',
            );
            channel.send({ type: 'backend?' } satisfies WorkerMessage);
            return (await reply).value;
          },
        },
      );
      channel.send({ type: 'cell', id: message.id, cell } satisfies WorkerMessage);
    });
  });
  process.stdin.on('end', () => process.exit(0));
  channel.send({ type: 'ready' } satisfies WorkerMessage);
}

/**
 * The services' control channel (memory, live connections, cuts) as the
 * parent relays it: the services run in the server namespace, this worker
 * in the client one. An answer the parent could not get comes back as an
 * error, re-thrown here as the services' own error class when it was one.
 */
function relayedControl(channel: JsonLines): ServicesControl {
  let nextId = 0;
  const ask = async <T>(method: keyof ServicesControl, args: string[]): Promise<T> => {
    const id = nextId++;
    const reply = channel.next(
      (m): m is Extract<ParentMessage, { type: 'control' }> =>
        (m as ParentMessage).type === 'control' && (m as { id: number }).id === id,
    );
    channel.send({ type: 'control?', id, method, args } satisfies WorkerMessage);
    const answer = await reply;
    if (answer.error !== undefined) {
      throw answer.unsupported ? new ServicesUnsupportedError(answer.error) : new Error(answer.error);
    }
    return answer.value as T;
  };
  return {
    memory: () => ask('memory', []),
    liveConnections: (protocol, transport) => ask('liveConnections', [protocol, transport]),
    dropConnections: (protocol, transport) => ask('dropConnections', [protocol, transport]),
  };
}

main();
