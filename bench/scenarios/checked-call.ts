import { setMaxListeners } from 'node:events';
import { clone, type DescMessage, equals, type MessageShape } from '@bufbuild/protobuf';
import type { CallOptions } from '../../clients/types.js';
import type { MethodKind, TransportId } from '../../protocols/types.js';
import type { Operation, OpOutcome } from '../load/outcome.js';
import { encodedBodySize } from '../wire/body-size.js';
import type { LoadOverride, Scenario, ScenarioContext } from './types.js';

/** Every Nth operation is compared in full with the oracle (plus the first few); all get the quick check. */
const FULL_CHECK_EVERY = 100;
const FULL_CHECK_FIRST = 3;
/** Calls one operation may have in flight on its signal at once. */
const MAX_CALLS_PER_OPERATION = 256;

type Msg = MessageShape<DescMessage>;

/** One operation's exchange: what was sent and what came back, as message lists (one item for unary). */
export interface Exchange {
  readonly sent: readonly Msg[];
  readonly received: readonly Msg[];
}

export interface CheckedCallSpec<T> {
  readonly name: string;
  readonly description: string;
  readonly methodKind: MethodKind;
  readonly requestSchema: DescMessage;
  readonly responseSchema: DescMessage;
  /** Draws the next input from `ctx.random` only, so runs are reproducible. */
  readonly input: (ctx: ScenarioContext) => T;
  /** Issues the call through the protocol client. */
  readonly call: (ctx: ScenarioContext, input: T, options: CallOptions) => Promise<Exchange>;
  /** The oracle's answer for the same input. */
  readonly expected: (ctx: ScenarioContext, input: T) => Promise<readonly Msg[]>;
  /** Clears what the server assigns and the oracle cannot know (ids of new posts, server clocks). */
  readonly normalize?: (message: Msg) => void;
  /** A cheap fingerprint of a response list, compared on every operation. */
  readonly fingerprint: (messages: readonly Msg[]) => string;
  readonly load?: (transport: TransportId) => LoadOverride;
}

/**
 * Builds a scenario from a call and its oracle. Validation is two-tier so the
 * load generator does not become the bottleneck on large responses: a cheap
 * fingerprint on every operation, a full field-by-field `equals` on a sample
 * (which also feeds the body-size figures). A wrong answer is a mismatch,
 * never a success.
 */
export function checkedCall<T>(spec: CheckedCallSpec<T>): Scenario {
  return {
    name: spec.name,
    description: spec.description,
    methodKind: spec.methodKind,
    ...(spec.load ? { load: spec.load } : {}),
    operation(ctx): Operation {
      let issued = 0;
      return async (signal) => {
        // One operation may issue many calls on this signal (nested-naive: a call per user, post and
        // comment list), each adding an abort listener: not a leak, so no warning per operation.
        setMaxListeners(MAX_CALLS_PER_OPERATION, signal);
        const input = spec.input(ctx);
        const index = issued++;
        let firstByteNs: bigint | undefined;
        const exchange = await spec.call(ctx, input, {
          signal,
          onFirstByte: (t) => {
            firstByteNs ??= t;
          },
        });
        const settle = (): Promise<OpOutcome> => validate(spec, ctx, input, exchange, index);
        return firstByteNs === undefined ? { settle } : { firstByteNs, settle };
      };
    },
  };
}

async function validate<T>(
  spec: CheckedCallSpec<T>,
  ctx: ScenarioContext,
  input: T,
  exchange: Exchange,
  index: number,
): Promise<OpOutcome> {
  const want = (await spec.expected(ctx, input)).map((m) => normalized(spec, m));
  const got = exchange.received.map((m) => normalized(spec, m));
  const [g, w] = [spec.fingerprint(got), spec.fingerprint(want)];
  if (g !== w) return { kind: 'mismatch', reason: `expected ${w}, got ${g}` };
  if (index < FULL_CHECK_FIRST || index % FULL_CHECK_EVERY === 0) {
    if (got.length !== want.length)
      return { kind: 'mismatch', reason: `expected ${want.length} messages, got ${got.length}` };
    for (let i = 0; i < want.length; i++) {
      if (!equals(spec.responseSchema, got[i] as Msg, want[i] as Msg)) {
        return {
          kind: 'mismatch',
          reason: `${spec.responseSchema.typeName} #${i} differs from the oracle's answer`,
        };
      }
    }
    const size = (schema: DescMessage, list: readonly Msg[]): number =>
      list.reduce((sum, m) => sum + encodedBodySize(schema, m, ctx.encoding), 0);
    ctx.bodies.add(size(spec.requestSchema, exchange.sent), size(spec.responseSchema, exchange.received));
  }
  return { kind: 'ok' };
}

function normalized<T>(spec: CheckedCallSpec<T>, message: Msg): Msg {
  if (!spec.normalize) return message;
  const copy = clone(spec.responseSchema, message);
  spec.normalize(copy);
  return copy;
}
