/** What one operation came to, as the load loop counts it (autocannon's lesson: never lump these). */
export type OpOutcome =
  | { readonly kind: 'ok'; readonly firstByteNs?: bigint }
  | { readonly kind: 'error' | 'timeout' | 'mismatch'; readonly reason: string };

/**
 * One operation as the load model sees it. It issues the call and returns
 * once the last response byte is in; validation that should not be timed
 * happens in `settle`, which the loop calls after stopping the clock.
 */
export type Operation = (
  signal: AbortSignal,
) => Promise<{ firstByteNs?: bigint; settle: () => Promise<OpOutcome> }>;
