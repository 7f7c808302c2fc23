import { performance } from 'node:perf_hooks';
import type { ReconnectStormRecord } from '../results/push-schema.js';
import type { Cell, LoadSpec } from '../results/schema.js';
import type { PushScenario } from '../scenarios/types.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import type { CellPlan } from './plan.js';
import { benchPost, isBenchPost, PushFleet, preparePushCell, waitUntil, within } from './push-fleet.js';
import type { CellRunOptions } from './run-cell.js';

const ESTABLISH_TIMEOUT_MS = 15_000;
/** Every subscriber must have every event within this long after the cut (backoff tops out at 5 s per attempt). */
const RECOVERY_DEADLINE_MS = 30_000;
const PREFIX = 'storm';
/** Backoff for the storm: the clients' defaults (100 ms doubling to 5 s, jitter 0.5), stated so results say it. */
const BACKOFF = { initialDelayMs: 100, maxDelayMs: 5000, jitter: 0.5, maxAttempts: 10 } as const;

/** What one subscriber saw. */
interface Subscriber {
  readonly seen: Set<number>;
  duplicates: number;
  foreign: number;
  /** Arrival (ns on the cell clock) of its first event published after the cut. */
  recoveredAtNs?: number;
  attempts: number;
  gaps: number;
  reconnects: () => number;
  error?: string;
}

/**
 * The `reconnect-storm` push cell: N subscribers connected and caught up,
 * then the server cuts every connection at once (through the services'
 * control channel, as a crashed load balancer would) while a fresh publisher
 * goes on publishing. Each client reconnects on its own seeded backoff and
 * resumes with the protocol's mechanism; the cell reports per-client recovery
 * time (cut → first post-cut event delivered), events lost (0 where the
 * protocol resumes), duplicates, gaps and reconnection attempts.
 */
export async function runReconnectStormCell(
  plan: Extract<CellPlan, { kind: 'run' }>,
  scenario: PushScenario,
  options: CellRunOptions,
): Promise<Cell> {
  const { subscribers, eventsBefore, eventsDuring } = options.profile.reconnectStorm;
  const load: LoadSpec = {
    model: 'closed',
    rate: null,
    connections: subscribers + 2,
    concurrency: subscribers,
    durationS: 0,
    warmupS: 0,
  };
  const ready = await preparePushCell(scenario.name, plan, options, load);
  if ('state' in ready) return ready;
  const { key, entry, services } = ready;
  const fleet = new PushFleet(entry, plan, options, subscribers, BACKOFF);
  const topic = fleet.topic(scenario.name);
  const base = process.hrtime.bigint();
  const now = (): number => Number(process.hrtime.bigint() - base);
  let cutAtNs = Number.POSITIVE_INFINITY;
  const postCutSeqs = new Set<number>();
  try {
    // 1. Subscribe everyone and wait until each has accepted.
    const subs: Subscriber[] = [];
    await fleet.ramp(1, subscribers, async (index) => {
      const client = fleet.client(index);
      await within(client.connect(), ESTABLISH_TIMEOUT_MS, `subscriber ${index} connect`);
      const s: Subscriber = {
        seen: new Set(),
        duplicates: 0,
        foreign: 0,
        attempts: 0,
        gaps: 0,
        reconnects: () => 0,
      };
      subs.push(s);
      const subscription = client.subscribe(topic, {
        signal: fleet.signal,
        onReconnect: () => {
          s.attempts++;
        },
        onGap: () => {
          s.gaps++;
        },
      });
      s.reconnects = () => subscription.reconnects;
      void (async () => {
        try {
          for await (const event of subscription) {
            const seq = Number(event.seq);
            if (!isBenchPost(event, topic, PREFIX)) s.foreign++;
            else if (s.seen.has(seq)) s.duplicates++;
            else {
              s.seen.add(seq);
              if (s.recoveredAtNs === undefined && postCutSeqs.has(seq)) s.recoveredAtNs = now();
            }
          }
        } catch (error) {
          s.error = (error as Error).message ?? String(error);
        }
      })();
      await within(subscription.ready, ESTABLISH_TIMEOUT_MS, `subscriber ${index} accepted`);
    });
    if (fleet.signal.aborted) throw new Error('aborted');

    // 2. Events before the cut: everyone must be caught up, so the cut is the only disturbance.
    const published: number[] = [];
    const first = fleet.client(0);
    for (let i = 0; i < eventsBefore; i++) {
      published.push(Number((await first.publish(topic, benchPost(PREFIX, i, scenario.payloadBytes))).seq));
    }
    const caughtUp = await waitUntil(
      () => subs.every((s) => published.every((q) => s.seen.has(q))),
      RECOVERY_DEADLINE_MS,
      fleet.signal,
    );
    if (!caughtUp)
      throw new Error(
        `expected every subscriber to have the ${eventsBefore} events before the cut, got fewer`,
      );

    // 3. The cut, then a fresh publisher (the old one's connection was cut too) publishes at once.
    const eluStart = performance.eventLoopUtilization();
    cutAtNs = now();
    const dropped = await services.dropConnections(plan.protocol, plan.transport);
    const publisher = fleet.client(subscribers + 1);
    let firstPublishNs = Number.NaN;
    for (let i = 0; i < eventsDuring; i++) {
      const started = now();
      const event = await publisher.publish(
        topic,
        benchPost(PREFIX, eventsBefore + i, scenario.payloadBytes),
      );
      if (i === 0) firstPublishNs = started;
      postCutSeqs.add(Number(event.seq));
      published.push(Number(event.seq));
      // A subscriber that resumed before this publish returned already holds the event: it recovered then.
      for (const s of subs)
        if (s.recoveredAtNs === undefined && s.seen.has(Number(event.seq))) s.recoveredAtNs = now();
    }
    const complete = (s: Subscriber): boolean =>
      s.error !== undefined || published.every((q) => s.seen.has(q));
    await waitUntil(() => subs.every(complete), RECOVERY_DEADLINE_MS, fleet.signal);
    const elu = performance.eventLoopUtilization(eluStart).utilization;
    if (fleet.signal.aborted) throw new Error('aborted');

    // 4. Audit every subscriber against the publisher's record.
    const recovery = new LatencyHistogram();
    let lost = 0;
    let duplicates = 0;
    let foreign = 0;
    let failedSubscriptions = 0;
    let firstError: string | undefined;
    for (const s of subs) {
      if (s.recoveredAtNs !== undefined) recovery.recordNs(Math.max(0, s.recoveredAtNs - cutAtNs));
      lost += published.filter((q) => !s.seen.has(q)).length;
      duplicates += s.duplicates;
      foreign += s.foreign;
      if (s.error) {
        failedSubscriptions++;
        firstError ??= s.error;
      }
    }
    const ok = subs.length * published.length - lost;
    const record: ReconnectStormRecord = {
      subscribers,
      dropped,
      resume: entry.resume,
      eventsBefore,
      eventsDuring,
      firstPublishAfterCutMs: (firstPublishNs - cutAtNs) / 1e6,
      recoveryMs: recovery.summaryMs(),
      recovered: recovery.count,
      lost,
      duplicates,
      gaps: subs.reduce((n, s) => n + s.gaps, 0),
      reconnectAttempts: subs.reduce((n, s) => n + s.attempts, 0),
      maxAttemptsPerClient: subs.reduce((n, s) => Math.max(n, s.attempts), 0),
      failedSubscriptions,
      backoffSeed: options.seed,
    };
    const notes = [
      `reconnect-storm: ${subscribers} subscribers, ${dropped} sockets cut at once; latency = per-client recovery (cut → its first post-cut event delivered); the first post-cut publish started ${record.firstPublishAfterCutMs.toFixed(1)} ms after the cut`,
      `reconnect-storm: backoff ${BACKOFF.initialDelayMs} ms doubling to ${BACKOFF.maxDelayMs} ms, jitter ${BACKOFF.jitter}, client i seeded ${options.seed} + i (xoroshiro128+); resume by ${entry.resume}`,
      `reconnect-storm: ${record.lost} events lost (expected 0: the protocol resumes), ${duplicates} duplicates, ${record.gaps} gaps, ${record.reconnectAttempts} reconnection attempts (max ${record.maxAttemptsPerClient} per client)`,
    ];
    if (firstError) notes.push(`first subscription failure: ${firstError}`);
    if (recovery.count === 0) {
      return {
        ...key,
        load,
        state: 'failed',
        reason: firstError ?? `no subscriber recovered within ${RECOVERY_DEADLINE_MS} ms of the cut`,
        counts: { ok, errors: failedSubscriptions, timeouts: lost, mismatches: duplicates + foreign },
      };
    }
    const summary = recovery.summaryMs();
    return {
      ...key,
      load,
      state: 'completed',
      counts: { ok, errors: failedSubscriptions, timeouts: lost, mismatches: duplicates + foreign },
      throughputRps: recovery.count / Math.max(1e-9, summary.max / 1e3),
      latencyMs: summary,
      ttfbMs: summary,
      ttfbColdMs: summary,
      clientEventLoopUtilization: elu,
      clientBound: elu > 0.9,
      bytesPerOp: { requestBody: 0, responseBody: 0, requestWire: null, responseWire: null },
      backendCallsPerOp: null,
      notes: [
        ...notes,
        'reconnect-storm: throughputRps = clients recovered per second until the last one; wire bytes not measured',
      ],
      latencyHistogram: recovery.encode(),
      reconnectStorm: record,
    };
  } catch (error) {
    return { ...key, load, state: 'failed', reason: (error as Error).message ?? String(error) };
  } finally {
    await fleet.close();
  }
}
