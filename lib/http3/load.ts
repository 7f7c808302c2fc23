/**
 * @currentspace/http3 loaded on first use, not at import time. Its native
 * addon declares Node ≥ 24 and ships binaries for three platforms only, so a
 * machine where it cannot load must still run every other transport; only
 * an h3 call then fails, with the loader's message as the reason.
 */
type Http3Module = typeof import('@currentspace/http3');

let loading: Promise<Http3Module> | undefined;

/** The package, or a rejection saying why it could not be loaded. */
export function loadHttp3(): Promise<Http3Module> {
  loading ??= import('@currentspace/http3').catch((error: unknown) => {
    loading = undefined;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`http3: expected @currentspace/http3 to load, got ${message}`);
  });
  return loading;
}

/** RFC 9114 §8.1 H3_REQUEST_CANCELLED: the code a client resets a request stream with when it gives up. */
export const H3_REQUEST_CANCELLED = 0x010c;
/** RFC 9114 §8.1 H3_NO_ERROR: a graceful close. */
export const H3_NO_ERROR = 0x0100;
