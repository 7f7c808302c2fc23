import type { ProtocolClient } from '../../clients/types.js';
import type { EncodingId, MethodKind, ProtocolId, TransportId } from '../../protocols/types.js';
import type { FeedCore, Random } from '../../services/core/index.js';
import type { Operation } from '../load/outcome.js';
import type { BodyMeter } from '../wire/body-size.js';

export interface ScenarioContext {
  readonly client: ProtocolClient;
  /** A local core with the services' seed and preset: the source of expected answers. */
  readonly oracle: FeedCore;
  /** Seeded per cell, so every protocol sees the same request sequence. */
  readonly random: Random;
  readonly encoding: EncodingId;
  readonly bodies: BodyMeter;
}

/**
 * A scenario is data: a name, the method kind it needs (the registry decides
 * where it can run), and how to make one operation. It never looks at which
 * protocol it is driving.
 */
export interface Scenario {
  /** Request/response scenarios run on the protocol registry; push ones (PushScenario) on the realtime one. */
  readonly family?: 'rpc';
  readonly name: string;
  readonly description: string;
  readonly methodKind: MethodKind;
  /** A load shape the scenario needs whatever the flags say (e.g. many-small: 50 streams on 1 h2 connection). */
  readonly load?: (transport: TransportId) => LoadOverride;
  /** After the normal measurement, sweep offered load in open-loop steps to find the knee. */
  readonly saturation?: boolean;
  operation(ctx: ScenarioContext): Operation;
}

export interface LoadOverride {
  readonly connections?: number;
  readonly concurrency?: number;
}

/**
 * A push scenario: one publisher, `subscribers` subscribers of one topic,
 * `messages` events published at `ratePerS`. It runs on every entry of the
 * realtime registry and measures delivery latency (publish call to arrival
 * at each subscriber, on one monotonic clock), deliveries per second, and
 * loss, duplication and reordering against the publisher's own record.
 * Sizes come from the profile (`fanout`), so quick stays quick and full
 * reaches 10,000 subscribers.
 */
export interface PushScenario {
  readonly family: 'push';
  readonly name: string;
  readonly description: string;
  /** Bytes of filler in each published post's body: the message size. */
  readonly payloadBytes: number;
  /**
   * What the cell measures: `delivery` (default; fanout), `connections` (how many one
   * server process holds, memory per connection) or `reconnect-storm` (every connection
   * cut at once: time to resubscribe, loss, duplicates). Sizes come from the profile.
   */
  readonly measure?: 'delivery' | 'connections' | 'reconnect-storm';
  /**
   * A peak fanout: the scenario's own fleet, run as written on each push
   * protocol's default transport, encoding and variant, on loopback only —
   * so `full` reaches the 10,000 subscribers while its ordinary
   * fanout cells keep the budget-scaled fleet. The budget never scales it
   * (its cost is still estimated, so the rest scales down to make room).
   */
  readonly peak?: PushSizes;
}

/** A push fleet: subscribers of the one topic, events published, publish rate (per second). */
export interface PushSizes {
  readonly subscribers: number;
  readonly messages: number;
  readonly ratePerS: number;
}

/**
 * A head-of-line experiment (bench/scenarios/hol.ts): M objects fetched at
 * once, with one deterministic server→client packet drop and a random-loss
 * sweep, on an emulated link only. The data of the experiment lives here;
 * bench/protocols/run-hol-cell.ts runs it.
 */
export interface HolScenario {
  readonly family: 'hol';
  readonly name: string;
  readonly description: string;
  /** The protocols it compares transports on (the transports are the subject, not the API style). */
  readonly protocols: readonly ProtocolId[];
  /** The transports it runs on unless --transports says otherwise (all TLS, so the comparison is fair). */
  readonly transports: readonly TransportId[];
  /** Objects fetched at once, and posts per object (a list page of ~700 B per post as JSON). */
  readonly objects: number;
  readonly postsPerObject: number;
  /**
   * Posts per object in the random-loss sweep: larger, so each trial carries
   * enough packets (hundreds) for 0.5% loss to hit it at all.
   */
  readonly sweepPostsPerObject: number;
  /** HTTP/1.1 connections (a browser's six per origin); multiplexed transports use one. */
  readonly h1Connections: number;
  /**
   * Drop the first server→client packet (of at least `minPayloadBytes`) that
   * reaches past this many response payload bytes after the fetch starts: the
   * same point of the response stream on every transport.
   */
  readonly dropAfterBytes: number;
  readonly minPayloadBytes: number;
  /** An object counts as delayed when it completes more than this many RTTs after its baseline. */
  readonly delayedThresholdRtt: number;
}

/** Any scenario of the catalog. */
export type AnyScenario = Scenario | PushScenario | HolScenario;

/** Whether a scenario is a push (realtime) one. */
export const isPushScenario = (s: AnyScenario): s is PushScenario => s.family === 'push';

/** Whether a scenario is a head-of-line experiment. */
export const isHolScenario = (s: AnyScenario): s is HolScenario => s.family === 'hol';
