import { performance } from 'node:perf_hooks';
import type { FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { ConnectionsRecord } from '../results/push-schema.js';
import type { Cell, LoadSpec } from '../results/schema.js';
import type { PushScenario } from '../scenarios/types.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import { diffCounters, readTcpCounters } from '../wire/tcp-info.js';
import type { CellPlan } from './plan.js';
import {
  benchPost,
  CONNECT_BATCH,
  isBenchPost,
  PushFleet,
  preparePushCell,
  waitUntil,
  within,
} from './push-fleet.js';
import type { CellRunOptions } from './run-cell.js';

/** One client's connect + subscribe may take this long before it counts as failed. */
const ESTABLISH_TIMEOUT_MS = 15_000;
/** How long the held subscribers get to receive the check event, and the server to release closed ones. */
const CHECK_DEADLINE_MS = 10_000;
const PREFIX = 'connections';
/** Above this event-loop utilization the clients, not the server, limited the ramp. */
const CLIENT_BOUND_ELU = 0.9;

/**
 * The `connections` push cell: ramp `profile.connections.clients` clients up
 * against one server process, each holding a subscription, and report how
 * many it held, the server's memory per held connection and the time each
 * took to establish. One event published afterwards checks that every held
 * subscriber is really served; closing them all checks the server lets go.
 * Memory and live-connection counts come from the services' control channel;
 * without it the cell is skipped with that reason.
 */
export async function runConnectionsCell(
  plan: Extract<CellPlan, { kind: 'run' }>,
  scenario: PushScenario,
  options: CellRunOptions,
): Promise<Cell> {
  const target = options.profile.connections.clients;
  const load: LoadSpec = {
    model: 'closed',
    rate: null,
    connections: target,
    concurrency: CONNECT_BATCH,
    durationS: 0,
    warmupS: 0,
  };
  const ready = await preparePushCell(scenario.name, plan, options, load);
  if ('state' in ready) return ready;
  const { key, entry, services } = ready;
  const fleet = new PushFleet(entry, plan, options, target);
  const topic = fleet.topic(scenario.name);
  const base = process.hrtime.bigint();
  const now = (): number => Number(process.hrtime.bigint() - base);
  try {
    const live0 = await services.liveConnections(plan.protocol, plan.transport);
    const before = await services.memory();
    const port = Number(new URL(options.url).port);
    const tcpBefore = await readTcpCounters(port);

    // 1. Ramp: each client connects and subscribes; held once the server accepts the subscription.
    const establish = new LatencyHistogram();
    const received = new Set<number>();
    let held = 0;
    let failed = 0;
    let firstFailure: string | undefined;
    const rampStart = now();
    const eluStart = performance.eventLoopUtilization();
    await fleet.ramp(1, target, async (index) => {
      const client = fleet.client(index);
      const t0 = now();
      try {
        await within(client.connect(), ESTABLISH_TIMEOUT_MS, 'connect');
        const subscription = client.subscribe(topic, { signal: fleet.signal });
        void (async () => {
          try {
            for await (const event of subscription) if (isCheck(event, topic)) received.add(index);
          } catch {
            // A subscription lost after the ramp shows as a missing check delivery.
          }
        })();
        await within(subscription.ready, ESTABLISH_TIMEOUT_MS, 'subscription accepted');
        establish.recordNs(now() - t0);
        held++;
      } catch (error) {
        failed++;
        firstFailure ??= `client ${index}: ${(error as Error).message ?? String(error)}`;
      }
    });
    if (fleet.signal.aborted) throw new Error('aborted');
    const rampS = (now() - rampStart) / 1e9;
    const elu = performance.eventLoopUtilization(eluStart).utilization;
    const tcpHeld = await readTcpCounters(port);
    const serverLive = (await services.liveConnections(plan.protocol, plan.transport)) - live0;
    const during = await services.memory();

    // 2. Check: one event must reach every held subscriber.
    const publisher = fleet.client(0);
    await publisher.publish(topic, benchPost(PREFIX, 0, scenario.payloadBytes));
    await waitUntil(() => received.size >= held, CHECK_DEADLINE_MS, fleet.signal);
    const checkDelivered = received.size;

    // 3. Close everyone; the server must let every connection go.
    await fleet.close();
    let liveAfter = Number.NaN;
    const end = Date.now() + CHECK_DEADLINE_MS;
    do {
      liveAfter = (await services.liveConnections(plan.protocol, plan.transport)) - live0;
      if (liveAfter <= 0) break;
      await new Promise((r) => setTimeout(r, 50));
    } while (Date.now() < end);

    // Growth per held connection; none (RSS unchanged or shrunk after the GC: pages kept or
    // returned by the allocator) is null with a note, never a 0 or negative cost.
    const perConnection = (a: number, b: number): number | null =>
      held > 0 && b > a ? (b - a) / held : null;
    const record: ConnectionsRecord = {
      target,
      held,
      failed,
      ...(firstFailure ? { firstFailure } : {}),
      serverLive,
      batch: CONNECT_BATCH,
      establishMs: establish.summaryMs(),
      rampS,
      memoryBefore: { rss: before.rss, heapUsed: before.heapUsed },
      memoryHeld: { rss: during.rss, heapUsed: during.heapUsed },
      rssBytesPerConnection: perConnection(before.rss, during.rss),
      heapBytesPerConnection: perConnection(before.heapUsed, during.heapUsed),
      gc: before.gc && during.gc,
      checkDelivered,
      serverLiveAfterClose: Math.max(0, liveAfter),
    };
    if (held === 0) {
      return {
        ...key,
        load,
        state: 'failed',
        reason: firstFailure ?? 'no connection was held',
        counts: { ok: 0, errors: failed, timeouts: 0, mismatches: 0 },
      };
    }
    const notes = [
      `connections: ${held} of ${target} held (${failed} failed), ${CONNECT_BATCH} connecting at once; latency = time to establish (connect() to subscription accepted); throughputRps = connections established per second of ramp`,
      `connections: server memory per held connection = (with all held − before) / held, ${record.gc ? 'after a full GC' : 'without a forced GC (heap includes garbage)'}`,
      'connections: bytes per op = TCP payload per connection established (handshakes + subscribe)',
    ];
    if (firstFailure) notes.push(`first failure: ${firstFailure}`);
    if (record.rssBytesPerConnection === null)
      notes.push(
        `connections: server RSS did not grow with ${held} connections (${before.rss} → ${during.rss} B): below the allocator's granularity at this size`,
      );
    if (elu > CLIENT_BOUND_ELU)
      notes.push(`client-bound: the clients' event loop was ${(elu * 100).toFixed(0)}% busy during the ramp`);
    if (checkDelivered < held)
      notes.push(`only ${checkDelivered} of ${held} held subscribers received the check event`);
    if (record.serverLiveAfterClose > 0)
      notes.push(
        `${record.serverLiveAfterClose} connections still live on the server after every client closed`,
      );
    // Only sockets opened by the ramp: those that did not exist before it.
    const known = new Set(tcpBefore?.map((c) => c.local));
    const wire =
      tcpBefore && tcpHeld
        ? diffCounters(
            [],
            tcpHeld.filter((c) => !known.has(c.local)),
          )
        : undefined;
    if (!wire)
      notes.push(
        'wire bytes unavailable: the kernel TCP counters read with `ss` (iproute2) are missing here',
      );
    const summary = establish.summaryMs();
    return {
      ...key,
      load,
      state: 'completed',
      counts: { ok: checkDelivered, errors: failed, timeouts: held - checkDelivered, mismatches: 0 },
      throughputRps: rampS > 0 ? held / rampS : 0,
      latencyMs: summary,
      ttfbMs: summary,
      ttfbColdMs: summary,
      clientEventLoopUtilization: elu,
      clientBound: elu > CLIENT_BOUND_ELU,
      bytesPerOp: {
        requestBody: 0,
        responseBody: 0,
        requestWire: wire && held > 0 ? wire.bytesSent / held : null,
        responseWire: wire && held > 0 ? wire.bytesReceived / held : null,
      },
      backendCallsPerOp: null,
      notes,
      latencyHistogram: establish.encode(),
      connections: record,
    };
  } catch (error) {
    return { ...key, load, state: 'failed', reason: (error as Error).message ?? String(error) };
  } finally {
    await fleet.close();
  }
}

const isCheck = (event: FeedEvent, topic: string): boolean => isBenchPost(event, topic, PREFIX);
