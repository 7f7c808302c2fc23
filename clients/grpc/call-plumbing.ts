import type { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { CallOptions } from '../types.js';
import { toClientError } from './errors.js';

/** The part of every grpc-js client call object the plumbing uses. */
export interface CancellableCall extends EventEmitter {
  cancel(): void;
}

/** Calls in flight, so `close()` can cancel them as the interface promises. */
export type ActiveCalls = Set<CancellableCall>;

/**
 * Wires a call to its options and returns the undo: `onFirstByte` fires on
 * the 'metadata' event (response headers arrived), the signal cancels the
 * call, and the call is tracked until it settles.
 */
export function attach(call: CancellableCall, options: CallOptions, active: ActiveCalls): () => void {
  const { onFirstByte, signal } = options;
  if (onFirstByte) call.once('metadata', () => onFirstByte(process.hrtime.bigint()));
  active.add(call);
  const abort = (): void => call.cancel();
  signal?.addEventListener('abort', abort, { once: true });
  return () => {
    active.delete(call);
    signal?.removeEventListener('abort', abort);
  };
}

/**
 * A response stream as an async iterable of messages. Leaving the loop early
 * cancels the call (the server then stops producing); a failure of the
 * request side (`inputError`) is reported in preference to the CANCELLED it caused.
 */
export async function* readAll<T>(
  call: CancellableCall & Readable,
  detach: () => void,
  inputError: () => unknown = () => undefined,
): AsyncGenerator<T> {
  // grpc-js emits 'error' after the iterator below has let go (e.g. CANCELLED after
  // an early break); without a listener that emit would throw.
  call.on('error', noop);
  let settled = false;
  try {
    for await (const message of call.iterator({ destroyOnReturn: false })) yield message as T;
    settled = true;
  } catch (error) {
    settled = true;
    throw inputError() ?? toClientError(error);
  } finally {
    detach();
    if (!settled) call.cancel();
  }
}

/**
 * Writes request messages with backpressure (waits for 'drain' when `write`
 * returns false), then half-closes. Stops quietly once the call has ended;
 * if the caller's iterable throws, `fail` records that and cancels the call.
 */
export async function pump<T>(
  inputs: AsyncIterable<T>,
  call: CancellableCall & Writable,
  fail: (error: unknown) => void,
): Promise<void> {
  const stopped = new AbortController();
  call.once('status', () => stopped.abort());
  try {
    for await (const input of inputs) {
      if (stopped.signal.aborted) return;
      if (!call.write(input)) await drained(call, stopped.signal);
    }
    if (!stopped.signal.aborted) call.end();
  } catch (error) {
    fail(error);
    call.cancel();
  }
}

function drained(call: EventEmitter, stopped: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      stopped.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    stopped.addEventListener('abort', done, { once: true });
  });
}

function noop(): void {}
