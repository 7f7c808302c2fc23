import type { ProtocolClient } from '../../clients/types.js';
import type { EncodingId, MethodKind, TransportId } from '../../protocols/types.js';
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
}

/** Any scenario of the catalog. */
export type AnyScenario = Scenario | PushScenario;

/** Whether a scenario is a push (realtime) one. */
export const isPushScenario = (s: AnyScenario): s is PushScenario => s.family === 'push';
