import { setMaxListeners } from 'node:events';
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { create, toBinary, toJson } from '@bufbuild/protobuf';
import type { Gap, RealtimeClient } from '../../clients/realtime/index.js';
import { findRealtime, type RealtimeEntry } from '../../protocols/realtime-registry.js';
import type { EncodingId } from '../../protocols/types.js';
import { type FeedEvent, FeedEventSchema, PostSchema } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { Cell, Counts, LoadSpec } from '../results/schema.js';
import type { PushScenario } from '../scenarios/types.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import { diffCounters, readTcpCounters, type TcpCounters } from '../wire/tcp-info.js';
import type { CellPlan } from './plan.js';
import { type FleetProbe, fleetCap, probeFleet } from './push-fleet.js';
import type { CellRunOptions } from './run-cell.js';

/** Subscribers connected at once while setting up: enough to be quick, few enough not to look like a SYN flood. */
const CONNECT_BATCH = 100;
/** After the last publish, how long deliveries may still arrive before the missing ones count as timeouts. */
const DRAIN_GRACE_MS = 10_000;
const TITLE_PREFIX = 'fanout #';

/** What one subscriber saw: per receipt, the seq, the publish index its payload names, and the arrival time. */
interface Receipts {
  readonly seqs: Float64Array;
  readonly indexes: Int32Array;
  readonly atNs: Float64Array;
  count: number;
  /** Receipts beyond the expected number (duplicates the client let through). */
  extra: number;
  /** Receipts whose topic or payload were not the published ones. */
  malformed: number;
  /** Events the client reported as gone (onGap): unreliable delivery's losses, or history exceeded. */
  lost: number;
  error?: string;
}

/**
 * Runs one push cell (fanout): `subscribers` clients subscribe to a topic of
 * their own, one more client publishes `messages` posts at `ratePerS`, and
 * every arrival is checked against the publisher's record. Delivery latency
 * runs from the publish call to the arrival at a subscriber, both on this
 * process's monotonic clock — no cross-machine clock enters the figure.
 * Anything that goes wrong is a `failed` cell with its reason.
 */
export async function runPushCell(
  plan: Extract<CellPlan, { kind: 'run' }>,
  scenario: PushScenario,
  options: CellRunOptions,
): Promise<Cell> {
  const key = {
    scenario: scenario.name,
    protocol: plan.protocol,
    transport: plan.transport,
    network: plan.network,
    encoding: plan.encoding,
    ...(plan.variant ? { variant: plan.variant } : {}),
  };
  // A peak scenario brings its own fleet (never scaled by the budget); the others take the profile's.
  const sizes = scenario.peak ?? options.profile.fanout;
  const { messages, ratePerS } = sizes;
  let subscribers = sizes.subscribers;
  const loadFor = (n: number): LoadSpec => ({
    model: 'open',
    rate: ratePerS,
    connections: n + 1,
    concurrency: n,
    durationS: messages / ratePerS,
    warmupS: 0,
  });
  let load = loadFor(subscribers);
  let capNote: string | undefined;
  const entry = findRealtime(plan.protocol);
  if (!entry) return { ...key, load, state: 'skipped', reason: `${plan.protocol}: no push adapter` };
  if (entry.fleetLimit && subscribers > entry.fleetLimit.subscribers) {
    capNote = `subscribers capped at ${entry.fleetLimit.subscribers} of ${subscribers}: ${entry.fleetLimit.reason}`;
    subscribers = entry.fleetLimit.subscribers;
    load = loadFor(subscribers);
  }
  const variant = entry.variants?.find((v) => v.name === plan.variant);
  const topic = `wb-${scenario.name}-${plan.protocol}-${plan.transport}-${plan.encoding}${variant ? `-${variant.name}` : ''}-${options.seed}`;
  const makeClient = (i: number): RealtimeClient =>
    entry.createClient({
      url: options.url,
      transport: plan.transport,
      encoding: plan.encoding,
      ...variant?.options,
      reconnect: { seed: options.seed + i },
      ...(options.caPem ? { caPem: options.caPem } : {}),
    });
  const port = Number(new URL(options.url).port);
  // One listener per subscription on the run's signal would trip Node's leak warning at 11:
  // the cell's own signal, sized for its subscribers, follows the run's.
  const cellAbort = new AbortController();
  setMaxListeners(subscribers + 64, cellAbort.signal);
  const forward = (): void => cellAbort.abort();
  options.signal.addEventListener('abort', forward, { once: true });
  const signal = cellAbort.signal;
  const clients: RealtimeClient[] = [];
  const base = process.hrtime.bigint();
  const now = (): number => Number(process.hrtime.bigint() - base);
  try {
    const publisher = makeClient(0);
    clients.push(publisher);
    await publisher.connect();
    // The publisher's own connections are not delivery traffic: leave them out of the wire counts.
    const publisherSockets = new Set((await readTcpCounters(port))?.map((c) => c.local) ?? []);
    let probe: FleetProbe | undefined;
    const fleetStart = performance.now();

    // 1. Subscribe everyone; a subscription counts once the server has accepted it.
    const receipts: Receipts[] = [];
    let sample: FeedEvent | undefined;
    let delivered = 0;
    let allDelivered: () => void = () => {};
    const complete = new Promise<void>((resolve) => {
      allDelivered = resolve;
    });
    let expected = subscribers * messages;
    for (let i = 0; i < subscribers && !signal.aborted; i += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, subscribers - i) }, (_, j) => i + j + 1);
      await Promise.all(
        batch.map(async (index) => {
          const client = makeClient(index);
          clients.push(client);
          await client.connect();
          const r: Receipts = {
            seqs: new Float64Array(messages),
            indexes: new Int32Array(messages),
            atNs: new Float64Array(messages),
            count: 0,
            extra: 0,
            malformed: 0,
            lost: 0,
          };
          // A reported gap settles its events as lost: the drain no longer waits for them.
          const onGap = (gap: Gap): void => {
            const n = Number(gap.to - gap.from + 1n);
            r.lost += n;
            delivered += n;
            if (delivered >= expected) allDelivered();
          };
          const subscription = client.subscribe(topic, { signal, onGap });
          receipts.push(r);
          void (async () => {
            try {
              for await (const event of subscription) {
                const at = now();
                const index = publishIndex(event, topic, scenario.payloadBytes);
                if (index === undefined) {
                  r.malformed++;
                  continue;
                }
                if (r.count >= messages) {
                  r.extra++;
                  continue;
                }
                sample ??= event;
                r.seqs[r.count] = Number(event.seq);
                r.indexes[r.count] = index;
                r.atNs[r.count] = at;
                r.count++;
                if (++delivered >= expected) allDelivered();
              }
            } catch (error) {
              r.error = (error as Error).message ?? String(error);
            }
          })();
          await subscription.ready;
        }),
      );
      // What the second batch cost (the first pays one-time set-up) in file descriptors and memory says how
      // many this process holds. Fewer than asked is recorded (load, notes), never silent.
      if (i === 0) probe = probeFleet();
      else if (i === CONNECT_BATCH && probe) {
        const { cap, reason } = fleetCap(subscribers, i + batch.length, batch.length, probe, probeFleet());
        if (reason) {
          capNote = `subscribers capped at ${cap} of ${subscribers}: ${reason}`;
          subscribers = cap;
          load = loadFor(cap);
          expected = cap * messages;
        }
      }
    }
    if (signal.aborted) throw new Error('aborted');
    const fleetS = (performance.now() - fleetStart) / 1000;

    // 2. Publish on an open-loop schedule; each call's start is the origin of its deliveries' latency.
    const before = await readTcpCounters(port);
    const eluStart: EventLoopUtilization = performance.eventLoopUtilization();
    const publishStartNs = new Float64Array(messages);
    const publishedSeq = new Float64Array(messages).fill(Number.NaN);
    const publishErrors: string[] = [];
    const intervalNs = 1e9 / ratePerS;
    const origin = now();
    const calls: Promise<void>[] = [];
    for (let i = 0; i < messages && !signal.aborted; i++) {
      const due = origin + i * intervalNs;
      const wait = (due - now()) / 1e6;
      if (wait > 0) await sleep(wait);
      publishStartNs[i] = now();
      calls.push(
        publisher.publish(topic, postPayload(i, scenario.payloadBytes)).then(
          (event) => {
            publishedSeq[i] = Number(event.seq);
          },
          (error: unknown) => {
            publishErrors.push((error as Error).message ?? String(error));
          },
        ),
      );
    }
    await Promise.all(calls);
    const ended = await Promise.race([
      complete.then(() => 'complete'),
      sleep(DRAIN_GRACE_MS, 'deadline', { signal, ref: false }).catch(() => 'aborted'),
    ]);
    const elu = performance.eventLoopUtilization(eluStart).utilization;
    const after = await readTcpCounters(port);
    if (ended === 'aborted') throw new Error('aborted');

    // 3. Check every receipt against the publisher's record; time the good ones.
    const { counts, latency, lastArrivalNs, firstFailure } = audit(
      receipts,
      publishStartNs,
      publishedSeq,
      messages,
    );
    counts.errors += publishErrors.length * subscribers;
    if (counts.ok === 0) {
      return {
        ...key,
        load,
        state: 'failed',
        reason: withCap(publishErrors[0] ?? firstFailure ?? 'no event was delivered', capNote),
        counts,
      };
    }
    const notes = [
      ...(capNote ? [capNote] : []),
      'push: latency = publish call to arrival at each subscriber (one monotonic clock); ttfbMs = the same figure, since an event arrives in one frame',
      'push: ttfbColdMs = a fresh client connecting and having its subscription accepted',
      `push: ${subscribers} subscribers × ${messages} events at ${ratePerS}/s; throughputRps = deliveries per second`,
      `push: ${subscribers} subscribers connected and subscribed in ${fleetS.toFixed(1)} s (batches of ${CONNECT_BATCH})`,
    ];
    if (publishErrors.length > 0) notes.push(`first publish failure: ${publishErrors[0]}`);
    if (firstFailure) notes.push(`first delivery failure: ${firstFailure}`);
    if ((counts.lost ?? 0) > 0) {
      notes.push(
        `push: ${counts.lost} events reported lost by the clients (gaps: unreliable delivery or history exceeded), counted in counts.lost`,
      );
    }
    const held = clients.slice(1).reduce((n, c) => n + (c.connectionCount?.() ?? 0), 0);
    if (held > 0) notes.push(`subscribers held ${held} transport connections`);
    if (elu > 0.9) {
      notes.push(`client-bound: the subscribers' event loop was ${(elu * 100).toFixed(0)}% busy`);
    }
    let requestWire: number | null = null;
    let responseWire: number | null = null;
    const own = (list: readonly TcpCounters[]) => list.filter((c) => !publisherSockets.has(c.local));
    const wire = before && after ? diffCounters(own(before), own(after)) : undefined;
    if (wire && wire.connections > 0 && wire.bytesReceived > 0) {
      requestWire = wire.bytesSent / counts.ok;
      responseWire = wire.bytesReceived / counts.ok;
    } else {
      // Never a 0 that means "not counted": e.g. QUIC (UDP) subscribers, which tcp_info does not see.
      notes.push(
        wire
          ? `wire bytes unavailable: the kernel TCP counters saw no subscriber connection over ${plan.transport} (UDP-based transports are not TCP)`
          : 'wire bytes unavailable: the kernel TCP counters read with `ss` (iproute2) are missing here',
      );
    }
    const cold = await measureColdSubscribe(
      entry,
      makeClient,
      `${topic}-cold`,
      options.profile.coldSamples,
      signal,
    );
    const summary = latency.summaryMs();
    return {
      ...key,
      load,
      state: 'completed',
      counts,
      throughputRps: counts.ok / ((lastArrivalNs - origin) / 1e9),
      latencyMs: summary,
      ttfbMs: summary,
      ttfbColdMs: cold.summaryMs(),
      clientEventLoopUtilization: elu,
      clientBound: elu > 0.9,
      bytesPerOp: {
        requestBody: 0,
        responseBody: sample ? pushBodySize(sample, plan.encoding) : 0,
        requestWire,
        responseWire,
      },
      backendCallsPerOp: null,
      notes,
      latencyHistogram: latency.encode(),
      ttfbHistogram: latency.encode(),
      ttfbColdHistogram: cold.encode(),
    };
  } catch (error) {
    return {
      ...key,
      load,
      state: 'failed',
      reason: withCap((error as Error).message ?? String(error), capNote),
    };
  } finally {
    options.signal.removeEventListener('abort', forward);
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}

/** A failed cell's reason, and the fleet cap it ran with (a failed cell has no notes to carry it). */
const withCap = (reason: string, capNote: string | undefined): string =>
  capNote ? `${reason} (${capNote})` : reason;

/**
 * The body a push service puts on the wire for one event: protobuf binary,
 * or protobuf JSON as the services emit it (default-valued fields omitted,
 * unlike the REST bodies' every-field JSON), so wire − body is framing.
 */
function pushBodySize(event: FeedEvent, encoding: EncodingId): number {
  if (encoding === 'proto') return toBinary(FeedEventSchema, event).byteLength;
  return Buffer.byteLength(JSON.stringify(toJson(FeedEventSchema, event)));
}

function postPayload(index: number, bodyBytes: number) {
  return {
    case: 'post' as const,
    value: create(PostSchema, {
      id: `fanout-${index}`,
      title: `${TITLE_PREFIX}${index}`,
      body: 'x'.repeat(bodyBytes),
    }),
  };
}

/** The publish index an event's payload names, or undefined when it is not one this cell published. */
function publishIndex(
  event: { topic: string; payload: { case: string | undefined; value?: unknown } },
  topic: string,
  bodyBytes: number,
): number | undefined {
  if (event.topic !== topic || event.payload.case !== 'post') return undefined;
  const post = event.payload.value as { title: string; body: string };
  if (!post.title.startsWith(TITLE_PREFIX) || post.body.length !== bodyBytes) return undefined;
  const index = Number(post.title.slice(TITLE_PREFIX.length));
  return Number.isInteger(index) && index >= 0 ? index : undefined;
}

/**
 * Every subscriber must have received exactly the published events, each
 * once, in seq order. A receipt whose payload names publish i but carries
 * another seq, a repeat or a step back is a mismatch; an event never
 * received is a timeout (or an error when the subscription failed).
 */
function audit(
  receipts: readonly Receipts[],
  publishStartNs: Float64Array,
  publishedSeq: Float64Array,
  messages: number,
): { counts: Counts; latency: LatencyHistogram; lastArrivalNs: number; firstFailure?: string } {
  const counts: Counts = { ok: 0, errors: 0, timeouts: 0, mismatches: 0 };
  const latency = new LatencyHistogram();
  let lastArrivalNs = 0;
  let firstFailure: string | undefined;
  const fail = (reason: string): void => {
    firstFailure ??= reason;
  };
  const published = publishedSeq.filter((s) => !Number.isNaN(s)).length;
  for (const r of receipts) {
    let previous = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < r.count; k++) {
      const seq = r.seqs[k] ?? Number.NaN;
      const index = r.indexes[k] ?? -1;
      const at = r.atNs[k] ?? 0;
      if (index >= messages || publishedSeq[index] !== seq) {
        counts.mismatches++;
        fail(`event seq ${seq} carries publish #${index}, published as seq ${publishedSeq[index]}`);
      } else if (seq <= previous) {
        counts.mismatches++;
        fail(`seq ${seq} after ${previous}: duplicate or out of order`);
      } else {
        counts.ok++;
        latency.recordNs(Math.max(0, at - (publishStartNs[index] ?? at)));
        lastArrivalNs = Math.max(lastArrivalNs, at);
      }
      previous = Math.max(previous, seq);
    }
    counts.mismatches += r.extra + r.malformed;
    if (r.extra + r.malformed > 0) fail(`${r.extra} extra and ${r.malformed} foreign events`);
    counts.lost = (counts.lost ?? 0) + r.lost;
    const missing = Math.max(0, published - r.count - r.lost);
    if (r.error) {
      counts.errors += missing;
      fail(`subscription failed: ${r.error}`);
    } else if (missing > 0) {
      counts.timeouts += missing;
      fail(`${missing} events not delivered within ${DRAIN_GRACE_MS} ms of the last publish`);
    }
  }
  return { counts, latency, lastArrivalNs, ...(firstFailure ? { firstFailure } : {}) };
}

/** Cold: a brand-new client from the start of its connection until the server accepts its subscription. */
async function measureColdSubscribe(
  entry: RealtimeEntry,
  makeClient: (i: number) => RealtimeClient,
  topic: string,
  samples: number,
  signal: AbortSignal,
): Promise<LatencyHistogram> {
  const histogram = new LatencyHistogram();
  for (let i = 0; i < samples && !signal.aborted; i++) {
    const client = makeClient(1_000_000 + i);
    try {
      const t0 = process.hrtime.bigint();
      await client.connect();
      const subscription = client.subscribe(topic, { signal });
      await subscription.ready;
      histogram.recordNs(process.hrtime.bigint() - t0);
      subscription.close();
    } catch (error) {
      throw new Error(`${entry.id} cold subscribe: ${(error as Error).message}`);
    } finally {
      await client.close().catch(() => {});
    }
  }
  return histogram;
}
