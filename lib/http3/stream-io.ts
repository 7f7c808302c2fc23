import type { IncomingHeaders, ServerHttp3Stream } from '@currentspace/http3';

/**
 * What every server-side stream bridge here (fetch-stream.ts for fetch
 * handlers, universal-stream.ts for connect-es handlers) does the same way:
 * the order of serving a request stream, field mapping both ways, waiting
 * for `drain` and for the hand-over to QUIC.
 */

/** The parts in which the bridges differ; {@link serveRequestStream} runs them in order. */
export interface StreamBridge<Body extends { discard(): void }, Res> {
  /** Starts reading the request body from the paused stream, or undefined when there is none. */
  readonly openBody: (stream: ServerHttp3Stream) => Body | undefined;
  /** Builds the request (a bad target throws {@link BadTarget}) and runs the handler. */
  readonly handle: (body: Body | undefined, gone: AbortSignal) => Promise<Res>;
  /** The response for a refused target (400) or a throwing handler (500). */
  readonly failure: (status: number, message: string) => Res;
  /** Writes the response; `gone` aborts when the client goes away. */
  readonly send: (response: Res, stream: ServerHttp3Stream, gone: AbortSignal) => Promise<void>;
}

/**
 * Serves one request stream through a bridge. Resolves once the whole
 * response was handed to QUIC (or the stream died); never rejects.
 */
export async function serveRequestStream<Body extends { discard(): void }, Res>(
  stream: ServerHttp3Stream,
  bridge: StreamBridge<Body, Res>,
): Promise<void> {
  // 1. Paused before anything can flow; `gone` aborts when the client goes away.
  const gone = openRequestStream(stream);
  const body = bridge.openBody(stream);
  if (!body) stream.resume();
  // 2. Request → handler; a bad target is a 400, a throwing handler a 500.
  let response: Res;
  try {
    response = await bridge.handle(body, gone);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    response = bridge.failure(error instanceof BadTarget ? 400 : 500, message);
  }
  // 3. Response → stream, then drop whatever body the handler left unread.
  try {
    await bridge.send(response, stream, gone);
  } catch {
    if (!stream.destroyed) stream.destroy();
  }
  body?.discard();
  // 4. Done once every byte (and FIN) was handed to QUIC, so a draining close() cannot cut it off.
  await handedOver(stream);
}

/** Connection-specific fields HTTP/3 forbids (RFC 9114 §4.2); a handler may still set them. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * Takes a fresh request stream: paused before anything can flow (if the
 * request FIN arrived while the readable side was never consumed, the
 * package would resume it into the void), stream errors kept from crashing
 * the process, and a signal that aborts when the client resets the stream or
 * it closes before the response was finished.
 */
function openRequestStream(stream: ServerHttp3Stream): AbortSignal {
  stream.pause();
  stream.on('error', () => {});
  const abort = new AbortController();
  let finished = false;
  stream.once('finish', () => {
    finished = true;
  });
  stream.once('aborted', () => abort.abort());
  stream.once('close', () => {
    if (!finished) abort.abort();
  });
  return abort.signal;
}

/** A request target the server refuses to build a URL from (answered 400). */
export class BadTarget extends Error {}

export function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `:path`, origin-form only: the URL's host is the server's, never the client's choice. */
export function requestPath(headers: IncomingHeaders): string {
  const path = first(headers[':path']) ?? '';
  if (!path.startsWith('/') || path.startsWith('//')) {
    throw new BadTarget(`request target: expected a path starting with /, got "${path}"`);
  }
  return path;
}

/** Request field lines as web Headers, pseudo-headers left out. */
export function requestFields(headers: IncomingHeaders): Headers {
  const fields = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const v of value) fields.append(name, v);
    else fields.set(name, value);
  }
  return fields;
}

/** Web Headers, or a ponyfill of them: all that is read is `forEach`. */
export interface FieldSource {
  forEach(callback: (value: string, name: string) => void): void;
}

/**
 * Response field lines from web Headers (plus `:status` when given):
 * lower-cased, as HTTP/3 requires (RFC 9114 §4.2) and ponyfill Headers
 * (yoga's) do not guarantee; hop-by-hop fields dropped.
 */
export function responseFields(status: number | undefined, header: FieldSource | undefined): IncomingHeaders {
  const out: IncomingHeaders = status === undefined ? {} : { ':status': String(status) };
  header?.forEach((value, field) => {
    const name = field.toLowerCase();
    if (!HOP_BY_HOP.has(name)) out[name] = value;
  });
  return out;
}

/** Resolves at `drain`, or when waiting is pointless (the stream closed, the client went away). */
export function drained(stream: ServerHttp3Stream, gone: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      gone.removeEventListener('abort', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
    gone.addEventListener('abort', done, { once: true });
  });
}

/** Resolves at 'finish' (the native side took all data and FIN) or 'close' (reset, destroyed). */
function handedOver(stream: ServerHttp3Stream): Promise<void> {
  if (stream.writableFinished || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('finish', resolve);
    stream.once('close', resolve);
  });
}
