import type {
  DescMessage,
  DescMethodClientStreaming,
  DescMethodServerStreaming,
  DescMethodUnary,
  MessageInitShape,
  MessageShape,
} from '@bufbuild/protobuf';
import type { WireCounters } from '../../lib/http3/index.js';
import type { TransportId } from '../../protocols/types.js';
import { REST_MEDIA } from '../../schemas/rest-binding.js';
import { ndjsonLines } from '../../services/rest/index.js';
import type {
  CallOptions,
  ClientOptions,
  CreateClient,
  ProtocolClient,
  ResumptionAudit,
  TlsResumptionState,
} from '../types.js';
import { asClientError, type Exchanger, readText, writable } from './exchange.js';
import { EXCHANGERS } from './transports.js';
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
 * The REST/JSON client, written once for every HTTP version: URLs and bodies
 * come from the same binding table the server routes with (wire.ts), and an
 * exchanger (transports.ts) carries each request over h1, h1s, h2, h2c or h3.
 *
 * `bidiStream` is left undefined: a REST request/response exchange has no
 * full-duplex message stream (the registry lists it as unsupported).
 */
export const createClient = ((options: ClientOptions): RestClient =>
  new RestJsonClient(options)) satisfies CreateClient;

/** The REST client object: a ProtocolClient, plus UDP wire counters on h3. */
export interface RestClient extends ProtocolClient {
  /**
   * h3 only (undefined on TCP transports, where the kernel's tcp_info
   * counts): UDP payload bytes this client's QUIC connections sent and
   * received since each handshake began, summed over every connection it
   * opened, closed ones included — monotonic, so diff two readings.
   */
  wireCounters?(): WireCounters | undefined;
}

class RestJsonClient implements RestClient {
  readonly protocol = 'rest';
  readonly encoding = 'json';
  readonly transport: TransportId;
  readonly wireCounters?: () => WireCounters | undefined;
  /** h1s, h2 and h3: sessions (QUIC: tickets) offered, received and resumed. */
  readonly tlsResumption?: () => TlsResumptionState;
  /** h3 only: whether the server resumes a ticket, decided on connections of its own. */
  readonly auditResumption?: (session: Buffer) => Promise<ResumptionAudit>;
  private readonly exchanger: Exchanger;

  constructor(options: ClientOptions) {
    if (options.encoding !== 'json') throw new Error(`rest: expected encoding json, got ${options.encoding}`);
    const make = EXCHANGERS[options.transport];
    if (!make) {
      const known = Object.keys(EXCHANGERS).join(', ');
      throw new Error(`rest client: expected transport ${known}, got ${options.transport}`);
    }
    this.transport = options.transport;
    this.exchanger = make(new URL(options.url), options);
    const counters = this.exchanger.wireCounters?.bind(this.exchanger);
    if (counters) this.wireCounters = counters;
    const tls = this.exchanger.tls;
    if (tls) this.tlsResumption = () => tls.state();
    const audit = tls?.audit?.bind(tls);
    if (audit) this.auditResumption = audit;
  }

  /**
   * Opens every connection (handshakes included) before any measured call.
   * The preconnect request is OPTIONS on a known route: the router answers
   * it with a bare 204, no core call.
   */
  async connect(): Promise<void> {
    await this.exchanger.connect(async () => {
      const { response } = await this.exchanger.open(
        { verb: 'OPTIONS', path: PRECONNECT_PATH, headers: {} },
        {},
      );
      const res = await response;
      const text = await readText(res);
      if (res.statusCode !== 204) throw errorFromResponse(res.statusCode ?? 0, text);
    });
  }

  async unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    input: MessageInitShape<I>,
    options: CallOptions = {},
  ): Promise<MessageShape<O>> {
    const wire = encodeRequest(method, input);
    const exchange = await this.exchanger.open(
      wire.body === undefined
        ? { verb: wire.route.route.verb, path: wire.path, headers: {} }
        : { verb: wire.route.route.verb, path: wire.path, headers: jsonHeaders(wire.body), body: wire.body },
      options,
    );
    const res = await exchange.response;
    const text = await readText(res, options.signal, exchange);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw errorFromResponse(status, text);
    return decodeMessage(method.output, parseJson(text, 'the response body'));
  }

  /** NDJSON lines as they arrive; stopping early (break, return) cancels the request. */
  async *serverStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodServerStreaming<I, O>,
    input: MessageInitShape<I>,
    options: CallOptions = {},
  ): AsyncGenerator<MessageShape<O>> {
    const wire = encodeRequest(method, input);
    const exchange = await this.exchanger.open({ verb: 'GET', path: wire.path, headers: {} }, options);
    const res = await exchange.response;
    try {
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        throw errorFromResponse(status, await readText(res, options.signal, exchange));
      }
      for await (const line of ndjsonLines(res as AsyncIterable<Uint8Array>)) {
        const json = parseJson(line.text, `stream line ${line.number}`);
        const failure = inBandError(json);
        if (failure) throw failure;
        yield decodeMessage(method.output, json);
      }
    } catch (error) {
      throw asClientError(error, options.signal, exchange);
    } finally {
      // Early exit or failure: the rest of the stream is unwanted, and the server should stop producing it.
      if (!res.complete) exchange.cancel();
    }
  }

  /**
   * Writes one NDJSON line per input over a streamed request body, waiting
   * for `drain` whenever the transport buffers. If the server answers early
   * (a bad line, a size limit) the upload stops and its error is thrown.
   */
  async clientStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodClientStreaming<I, O>,
    inputs: AsyncIterable<MessageInitShape<I>>,
    options: CallOptions = {},
  ): Promise<MessageShape<O>> {
    const wire = encodeRequest(method, {} as MessageInitShape<I>);
    const headers = { 'content-type': REST_MEDIA.ndjson };
    const exchange = await this.exchanger.open(
      { verb: 'POST', path: wire.path, headers, upload: true },
      options,
    );
    const { req, response } = exchange;
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
      exchange.cancel();
      throw asClientError(error, options.signal, exchange);
    }
    // 2. The one response message (or the error that stopped the upload).
    const res = await response;
    const text = await readText(res, options.signal, exchange);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw errorFromResponse(status, text);
    return decodeMessage(method.output, parseJson(text, 'the response body'));
  }

  /** Fails pending calls with CANCELLED, then closes every connection. */
  close(): Promise<void> {
    return this.exchanger.close();
  }
}

function jsonHeaders(body: string): Record<string, string | number> {
  return { 'content-type': REST_MEDIA.json, 'content-length': Buffer.byteLength(body) };
}
