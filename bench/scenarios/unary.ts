import {
  create,
  type DescMessage,
  type DescMethodUnary,
  equals,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import type { Operation, OpOutcome } from '../load/outcome.js';
import { encodedBodySize } from '../wire/body-size.js';
import type { Scenario, ScenarioContext } from './types.js';

/** Every Nth response is compared in full with the oracle (plus the first few); all get the quick check. */
const FULL_CHECK_EVERY = 100;
const FULL_CHECK_FIRST = 3;

export interface UnaryScenarioSpec<I extends DescMessage, O extends DescMessage> {
  readonly name: string;
  readonly description: string;
  readonly method: DescMethodUnary<I, O>;
  /** The next request; draws only from `ctx.random` so runs are reproducible. */
  readonly input: (ctx: ScenarioContext) => MessageInitShape<I>;
  /** A cheap fingerprint compared on every response (ids, counts). */
  readonly fingerprint: (message: MessageShape<O>) => string;
}

/**
 * Builds a unary scenario. Validation is two-tier so the load generator does
 * not become the bottleneck on megabyte responses: a cheap fingerprint on
 * every response, a full field-by-field `equals` against the oracle on a
 * sample (which also feeds the body-size figures). A wrong answer counts as a
 * mismatch, never as a success.
 */
export function unaryScenario<I extends DescMessage, O extends DescMessage>(
  spec: UnaryScenarioSpec<I, O>,
): Scenario {
  const { method } = spec;
  return {
    name: spec.name,
    description: spec.description,
    methodKind: 'unary',
    operation(ctx): Operation {
      let issued = 0;
      return async (signal) => {
        const input = create(method.input, spec.input(ctx));
        const index = issued++;
        let firstByteNs: bigint | undefined;
        const response = await ctx.client.unary(method, input, {
          signal,
          onFirstByte: (t) => {
            firstByteNs ??= t;
          },
        });
        const settle = async (): Promise<OpOutcome> => {
          const expected = await oracleAnswer(ctx, method, input);
          if (spec.fingerprint(response) !== spec.fingerprint(expected)) {
            return {
              kind: 'mismatch',
              reason: `expected ${spec.fingerprint(expected)}, got ${spec.fingerprint(response)}`,
            };
          }
          if (index < FULL_CHECK_FIRST || index % FULL_CHECK_EVERY === 0) {
            if (!equals(method.output, response, expected)) {
              return {
                kind: 'mismatch',
                reason: `${method.output.typeName} differs from the oracle's answer`,
              };
            }
            ctx.bodies.add(
              encodedBodySize(method.input, input, ctx.encoding),
              encodedBodySize(method.output, response, ctx.encoding),
            );
          }
          return { kind: 'ok' };
        };
        return firstByteNs === undefined ? { settle } : { firstByteNs, settle };
      };
    },
  };
}

/** The oracle implements the same method under the same localName. */
async function oracleAnswer<I extends DescMessage, O extends DescMessage>(
  ctx: ScenarioContext,
  method: DescMethodUnary<I, O>,
  input: MessageShape<I>,
): Promise<MessageShape<O>> {
  const fn = (ctx.oracle as unknown as Record<string, (req: MessageShape<I>) => Promise<MessageShape<O>>>)[
    method.localName
  ];
  if (typeof fn !== 'function')
    throw new Error(`oracle: expected a core method ${method.localName}, got none`);
  return fn.call(ctx.oracle, input);
}
