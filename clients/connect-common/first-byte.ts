import {
  type ContextValues,
  createContextKey,
  createContextValues,
  type Interceptor,
} from '@connectrpc/connect';
import type { UniversalClientFn } from '@connectrpc/connect/protocol';

type FirstByteFn = (hrtimeNs: bigint) => void;

/** Carries a call's `onFirstByte` from the call options to the interceptor. */
const FIRST_BYTE = createContextKey<FirstByteFn | undefined>(undefined, { description: 'onFirstByte' });

/** Call context carrying `onFirstByte`; pass it as the connect-es call's `contextValues`. */
export function firstByteContext(onFirstByte: FirstByteFn): ContextValues {
  return createContextValues().set(FIRST_BYTE, onFirstByte);
}

/**
 * Reports the instant a call's response head arrives. connect-es' public
 * `onHeader` fires only after a unary body has been read and decoded, so it
 * cannot give TTFB. Instead two hooks meet on the call's AbortSignal (the
 * one object connect-es passes unchanged from interceptors to the HTTP client):
 *
 * 1. the {@link interceptor} files the call's callback under `req.signal`;
 * 2. {@link wrap} wraps the link's HTTP client; its promise settles inside
 *    the `'response'` event (node's ClientRequest for HTTP/1.1,
 *    ClientHttp2Stream for HTTP/2, @currentspace/http3's ClientHttp3Stream for
 *    HTTP/3), i.e. once the status line/HEADERS frame is parsed and before
 *    any body byte is read. The callback reads `process.hrtime.bigint()` in
 *    that promise's reaction — a few microtasks later, same event-loop turn.
 *
 * Calls without `onFirstByte` pay one context lookup and nothing else.
 */
export class FirstByteProbe {
  private readonly pending = new WeakMap<AbortSignal, FirstByteFn>();

  readonly interceptor: Interceptor = (next) => (req) => {
    const onFirstByte = req.contextValues.get(FIRST_BYTE);
    if (onFirstByte) this.pending.set(req.signal, onFirstByte);
    return next(req);
  };

  wrap(inner: UniversalClientFn): UniversalClientFn {
    return (req) => {
      const response = inner(req);
      const onFirstByte = req.signal && this.pending.get(req.signal);
      if (!onFirstByte || !req.signal) return response;
      this.pending.delete(req.signal);
      return response.then((res) => {
        onFirstByte(process.hrtime.bigint());
        return res;
      });
    };
  }
}
