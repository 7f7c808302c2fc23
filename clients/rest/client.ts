import http, { type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type {
  DescMessage,
  DescMethodClientStreaming,
  DescMethodServerStreaming,
  DescMethodUnary,
  MessageInitShape,
  MessageShape,
} from '@bufbuild/protobuf';
import type { TransportId } from '../../protocols/types.js';
import { REST_MEDIA } from '../../schemas/rest-binding.js';
import { ndjsonLines } from '../../services/rest/index.js';
import type { CallOptions, ClientOptions, CreateClient, ProtocolClient } from '../types.js';
import {
  asClientError,
  cancelled,
  type Exchange,
  readText,
  startExchange,
  type Target,
  writable,
} from './http-exchange.js';
import { Http2Sessions } from './http2-exchange.js';
import {
  decodeMessage,
  encodeLine,
  encodeRequest,
  errorFromResponse,
  inBandError,
  parseJson,
} from './wire.js';

/** A path every REST server answers without touching the core: OPTIONS on a known route is a bare 204. */
const PRECONNECT_PATH = '/v1/posts';

/**
 * The REST/JSON client. HTTP/1.1 (h1, h1s): node:http(s) with a keep-alive
 * agent of exactly `connections` sockets — plain sockets whose count and
 * reuse the bench can reason about, which fetch/undici's pooling would hide.
 * HTTP/2 (h2, h2c): `connections` node:http2 sessions, calls multiplexed as
 * streams. URLs and bodies come from the same binding table the server
 * routes with.
 *
 * `bidiStream` is left undefined: a REST request/response exchange has no
 * full-duplex message stream (the registry lists it as unsupported).
 */
export const createClient: CreateClient = (options) => new RestClient(options);

class RestClient implements ProtocolClient {
  readonly protocol = 'rest';
  readonly encoding = 'json';
  readonly transport: TransportId;
  private readonly target: Target;
  private readonly connections: number;
  /** HTTP/2 transports: sessions instead of the HTTP/1.1 pool. */
  private readonly h2: Http2Sessions | undefined;

  constructor(options: ClientOptions) {
    if (options.encoding !== 'json') throw new Error(`rest: expected encoding json, got ${options.encoding}`);
    if (!['h1', 'h1s', 'h2', 'h2c'].includes(options.transport)) {
      throw new Error(`rest client: expected transport h1, h1s, h2 or h2c, got ${options.transport}`);
    }
    this.transport = options.transport;
    this.connections = options.connections ?? 1;
    const url = new URL(options.url);
    if (options.transport === 'h2' || options.transport === 'h2c') {
      this.h2 = new Http2Sessions(url.origin, this.connections, options.caPem);
    }
    const pool = { keepAlive: true, maxSockets: this.connections };
    const tls = options.transport === 'h1s';
    this.target = {
      request: tls ? https.request : http.request,
      agent: tls ? new https.Agent({ ...pool, ca: options.caPem }) : new http.Agent(pool),
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(url.port || (tls ? 443 : 80)),
      active: new Set(),
    };
  }

  /**
   * Opens all `connections` sockets (and TLS sessions) up front: as many
   * concurrent OPTIONS requests as the pool allows make the agent open one
   * socket each, and every socket returns to the pool when its 204 ends.
   * OPTIONS is answered by the router, so no core call and no measured call
   * pays for a handshake.
   */
  async connect(): Promise<void> {
    if (this.h2) return this.h2.connect();
    const preconnect = async (): Promise<void> => {
      const { req, response } = startExchange(this.target, 'OPTIONS', PRECONNECT_PATH, {}, {});
      req.end();
      const res = await response;
      const text = await readText(res);
      if (res.statusCode !== 204) throw errorFromResponse(res.statusCode ?? 0, text);
    };
    await Promise.all(Array.from({ length: this.connections }, preconnect));
  }

  async unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    input: MessageInitShape<I>,
    options: CallOptions = {},
  ): Promise<MessageShape<O>> {
    const wire = encodeRequest(method, input);
    const headers = wire.body === undefined ? {} : jsonHeaders(wire.body);
    const { req, response } = this.start(wire.route.route.verb, wire.path, headers, options);
    req.end(wire.body);
    const res = await response;
    const text = await readText(res, options.signal);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw errorFromResponse(status, text);
    return decodeMessage(method.output, parseJson(text, 'the response body'));
  }

  private start(verb: string, path: string, headers: OutgoingHttpHeaders, options: CallOptions): Exchange {
    return this.h2
      ? this.h2.start(verb, path, headers, options)
      : startExchange(this.target, verb, path, headers, options);
  }

  /** NDJSON lines as they arrive; stopping early (break, return) aborts the request. */
  async *serverStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodServerStreaming<I, O>,
    input: MessageInitShape<I>,
    options: CallOptions = {},
  ): AsyncGenerator<MessageShape<O>> {
    const wire = encodeRequest(method, input);
    const { req, response } = this.start('GET', wire.path, {}, options);
    req.end();
    const res = await response;
    try {
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) throw errorFromResponse(status, await readText(res, options.signal));
      for await (const line of ndjsonLines(res as AsyncIterable<Uint8Array>)) {
        const json = parseJson(line.text, `stream line ${line.number}`);
        const failure = inBandError(json);
        if (failure) throw failure;
        yield decodeMessage(method.output, json);
      }
    } catch (error) {
      throw asClientError(error, options.signal);
    } finally {
      // Early exit or failure: the rest of the stream is unwanted, so the socket goes.
      if (!res.complete) req.destroy();
    }
  }

  /**
   * Writes one NDJSON line per input over a chunked request, waiting for
   * `drain` whenever node buffers. If the server answers early (a bad line,
   * a size limit) the upload stops and its error is thrown.
   */
  async clientStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodClientStreaming<I, O>,
    inputs: AsyncIterable<MessageInitShape<I>>,
    options: CallOptions = {},
  ): Promise<MessageShape<O>> {
    const wire = encodeRequest(method, {} as MessageInitShape<I>);
    const headers = { 'content-type': REST_MEDIA.ndjson };
    const { req, response } = this.start('POST', wire.path, headers, options);
    let answered = false;
    response.then(
      () => (answered = true),
      () => (answered = true),
    );
    // 1. Upload, one line per message, until the inputs end or the server has answered.
    try {
      for await (const input of inputs) {
        if (answered || req.destroyed) break;
        if (!req.write(encodeLine(method.input, input))) await writable(req, response);
      }
      req.end();
    } catch (error) {
      req.destroy();
      throw asClientError(error, options.signal);
    }
    // 2. The one response message (or the error that stopped the upload).
    const res = await response;
    const text = await readText(res, options.signal);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw errorFromResponse(status, text);
    return decodeMessage(method.output, parseJson(text, 'the response body'));
  }

  /** Fails pending calls with CANCELLED, then closes every pooled socket. */
  async close(): Promise<void> {
    this.h2?.close();
    for (const req of this.target.active) req.destroy(cancelled('because the client closed'));
    this.target.agent.destroy();
  }
}

function jsonHeaders(body: string): Record<string, string | number> {
  return { 'content-type': REST_MEDIA.json, 'content-length': Buffer.byteLength(body) };
}
