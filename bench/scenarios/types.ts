import type { ProtocolClient } from '../../clients/types.js';
import type { EncodingId, MethodKind } from '../../protocols/types.js';
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
  readonly name: string;
  readonly description: string;
  readonly methodKind: MethodKind;
  operation(ctx: ScenarioContext): Operation;
}
