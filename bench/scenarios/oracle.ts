import type { DescMessage, DescMethod, MessageShape } from '@bufbuild/protobuf';
import type { FeedCore } from '../../services/core/index.js';

/** Calls the oracle core's implementation of a method: the core uses the proto method's localName. */
export function oracleCall<I extends DescMessage, O extends DescMessage, R = Promise<MessageShape<O>>>(
  oracle: FeedCore,
  method: DescMethod,
  input: MessageShape<I> | AsyncIterable<MessageShape<I>>,
): R {
  const fn = (oracle as unknown as Record<string, (arg: unknown) => R>)[method.localName];
  if (typeof fn !== 'function')
    throw new Error(`oracle: expected a core method ${method.localName}, got none`);
  return fn.call(oracle, input);
}
