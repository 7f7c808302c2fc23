import { Code, ConnectError } from '@connectrpc/connect';
import {
  getAbortSignalReason,
  type UniversalClientFn,
  type UniversalClientResponse,
} from '@connectrpc/connect/protocol';
import type { IncomingHeaders } from '@currentspace/http3';
import type { Http3Connection } from './connection.js';
import type { Http3Response } from './request.js';

/**
 * A connect-es HTTP client (`UniversalClientFn`) over HTTP/3, so connect-es'
 * Connect, gRPC-Web and gRPC transports run on QUIC as they run on
 * connect-node's http2 client. Each call is one request stream on the
 * connection `connection()` yields (it may open or reopen one):
 * - the request body is written as connect-es produces it (with
 *   backpressure), while the response is read — full duplex, bidi works;
 * - response trailers (a HEADERS frame after the body: the gRPC status)
 *   fill `trailer` before the body iterator reports its end;
 * - the call's AbortSignal resets the stream (H3_REQUEST_CANCELLED), and the
 *   call fails with the signal's reason, as connect-node does;
 * - the promise settles when the response HEADERS arrive (what clients'
 *   first-byte probes time).
 */
export function createHttp3UniversalClient(connection: () => Promise<Http3Connection>): UniversalClientFn {
  return async (req) => {
    const { signal } = req;
    if (signal?.aborted) throw failure(undefined, signal);
    let open: Http3Connection;
    try {
      open = await connection();
    } catch (error) {
      throw failure(error, signal);
    }
    const url = new URL(req.url);
    const call = open.request({
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers: fieldsOf(req.header),
      ...(req.body ? { body: req.body } : {}),
      ...(signal ? { signal } : {}),
    });
    // Attached before anything can arrive: trailers follow the body on the same stream.
    const trailer = new Headers();
    call.req.on('trailers', (fields: IncomingHeaders) => copyInto(trailer, fields));
    let res: Http3Response;
    try {
      res = await call.response;
    } catch (error) {
      throw failure(error, signal);
    }
    const response: UniversalClientResponse = {
      status: res.status,
      header: copyInto(new Headers(), res.headers),
      body: bodyOf(res, signal),
      trailer,
    };
    return response;
  };
}

/** The response body; a reset or a lost connection mid-body becomes a ConnectError. */
async function* bodyOf(res: Http3Response, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  try {
    yield* res;
  } catch (error) {
    throw failure(error, signal);
  }
}

/**
 * Why a call failed, as connect-es expects it: the signal's reason when the
 * caller aborted (connect-es' own cancel or deadline), otherwise the
 * transport failure as `unavailable` — the stream or connection went away,
 * like connect-node's mapping of a reset HTTP/2 stream.
 */
function failure(error: unknown, signal: AbortSignal | undefined): ConnectError {
  if (signal?.aborted) return ConnectError.from(getAbortSignalReason(signal));
  if (error instanceof ConnectError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectError(`http3: expected a response, got ${message}`, Code.Unavailable);
}

/** Web Headers → HTTP/3 field lines (names are already lower case in Headers). */
function fieldsOf(header: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  header.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** HTTP/3 field lines → web Headers, pseudo-headers (`:status`) left out. */
function copyInto(target: Headers, fields: IncomingHeaders): Headers {
  for (const [name, value] of Object.entries(fields)) {
    if (name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const v of value) target.append(name, v);
    else target.append(name, value);
  }
  return target;
}
