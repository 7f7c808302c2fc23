import {
  create,
  type DescMessage,
  type DescMethodUnary,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import type { TransportId } from '../../protocols/types.js';
import { type CheckedCallSpec, checkedCall } from './checked-call.js';
import { oracleCall } from './oracle.js';
import type { LoadOverride, Scenario, ScenarioContext } from './types.js';

export interface UnaryScenarioSpec<I extends DescMessage, O extends DescMessage> {
  readonly name: string;
  readonly description: string;
  readonly method: DescMethodUnary<I, O>;
  /** The next request; draws only from `ctx.random` so runs are reproducible. */
  readonly input: (ctx: ScenarioContext) => MessageInitShape<I>;
  /** A cheap fingerprint compared on every response (ids, counts). */
  readonly fingerprint: (message: MessageShape<O>) => string;
  readonly normalize?: (message: MessageShape<O>) => void;
  readonly load?: (transport: TransportId) => LoadOverride;
  readonly saturation?: boolean;
}

/** A scenario of one unary call per operation, checked against the oracle's answer. */
export function unaryScenario<I extends DescMessage, O extends DescMessage>(
  spec: UnaryScenarioSpec<I, O>,
): Scenario {
  const { method } = spec;
  const checked: CheckedCallSpec<MessageShape<I>> = {
    name: spec.name,
    description: spec.description,
    methodKind: 'unary',
    requestSchema: method.input,
    responseSchema: method.output,
    input: (ctx) => create(method.input, spec.input(ctx)),
    call: async (ctx, input, options) => ({
      sent: [input],
      received: [await ctx.client.unary(method, input, options)],
    }),
    expected: async (ctx, input) => [await oracleCall<I, O>(ctx.oracle, method, input)],
    fingerprint: (list) => list.map((m) => spec.fingerprint(m as MessageShape<O>)).join(','),
    ...(spec.normalize ? { normalize: spec.normalize as (m: unknown) => void } : {}),
    ...(spec.load ? { load: spec.load } : {}),
  };
  const scenario = checkedCall(checked);
  return spec.saturation ? { ...scenario, saturation: true } : scenario;
}
