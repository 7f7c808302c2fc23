/**
 * Waits for `promise` (its rejection counts as settling) or `ms`, whichever
 * comes first, leaving no timer behind. Closing a session waits for the peer
 * this way: long enough for a polite close, never forever.
 */
export async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([promise.catch(() => {}), elapsed]);
  clearTimeout(timer);
}
