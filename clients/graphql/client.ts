import {
  create,
  type DescMessage,
  type DescMethodClientStreaming,
  type DescMethodServerStreaming,
  type DescMethodUnary,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import type { WireCounters } from '../../lib/http3/index.js';
import type { TransportId } from '../../protocols/types.js';
import { DATALOADER_HEADER, GRAPHQL_PATH, persistedQueryId } from '../../services/graphql/documents.js';
import { ClientError } from '../errors.js';
import type {
  CallOptions,
  ClientOptions,
  CreateClient,
  ProtocolClient,
  ResumptionAudit,
  TlsResumptionState,
} from '../types.js';
import { fromGraphqlErrors, fromHttpStatus } from './errors.js';
import { Http1Transport } from './http1-transport.js';
import { Http2Transport } from './http2-transport.js';
import { Http3Transport } from './http3-transport.js';
import { type Data, IMPORT_POSTS, type Operation, STREAM_FEED, UNARY_OPERATIONS } from './operations.js';
import { sseEvents } from './sse.js';
import { asClientError, type HttpRequest, type HttpTransport, readText } from './transport.js';

/** GraphQL-only client settings, passed as `options.graphql` beside the shared ClientOptions. */
export interface GraphqlClientOptions {
  /** Sends `x-wb-dataloader: on|off`; undefined leaves the server's default (on). */
  readonly dataloader?: boolean;
  /** Queries as `GET /graphql?id=<sha256>&variables=…` (persisted, cacheable); mutations and subscriptions stay POST. */
  readonly get?: boolean;
}

export type GraphqlClientConfig = ClientOptions & { readonly graphql?: GraphqlClientOptions };

/** The ProtocolClient plus the server's per-request backend-call figure (`extensions.backendCalls`). */
export interface GraphqlProtocolClient extends ProtocolClient {
  /** Backend calls the last completed response reported; undefined before any, or when it had none. */
  lastBackendCalls(): number | undefined;
  /**
   * h3 only (undefined on TCP transports, where the kernel's tcp_info
   * counts): UDP payload bytes this client's QUIC connections sent and
   * received since each handshake began, summed over every connection it
   * opened, closed ones included — monotonic, so diff two readings.
   */
  wireCounters?(): WireCounters | undefined;
}

/** One entry per HTTP transport: the GraphQL code above the HttpTransport never branches on it. */
const TRANSPORTS: Partial<Record<TransportId, (options: ClientOptions) => HttpTransport>> = {
  h1: (options) => new Http1Transport(options),
  h1s: (options) => new Http1Transport(options),
  h2: (options) => new Http2Transport(options),
  h2c: (options) => new Http2Transport(options),
  h3: (options) => new Http3Transport(options),
};

/** The media type whose rules make yoga answer request errors (parse, validation, limits) with 400, not 200. */
const ACCEPT = 'application/graphql-response+json';

/**
 * The GraphQL client: each FeedService method is one GraphQL operation from
 * the shared document table (operations.ts), sent over HTTP/1.1 (keep-alive
 * pool), HTTP/2 (one session) or HTTP/3 (one QUIC connection), and its `data` decoded back into the proto
 * message so the bench compares it with the oracle like any protocol's.
 *
 * `clientStream` (ImportPosts) buffers the inputs into one `importPosts`
 * mutation: GraphQL has no client-to-server stream. `bidiStream` is left
 * undefined for the same reason (the registry lists it as unsupported).
 */
export const createClient: CreateClient = (options) => new GraphqlClient(options);

class GraphqlClient implements GraphqlProtocolClient {
  readonly protocol = 'graphql';
  readonly encoding = 'json';
  readonly transport: TransportId;
  readonly wireCounters?: () => WireCounters | undefined;
  /** h1s, h2 and h3: sessions (QUIC: tickets) offered, received and resumed. */
  readonly tlsResumption?: () => TlsResumptionState;
  /** h3 only: whether the server resumes a ticket, decided on connections of its own. */
  readonly auditResumption?: (session: Buffer) => Promise<ResumptionAudit>;
  private readonly http: HttpTransport;
  private readonly settings: GraphqlClientOptions;
  private lastCalls: number | undefined;

  constructor(options: GraphqlClientConfig) {
    if (options.encoding !== 'json')
      throw new Error(`graphql: expected encoding json, got ${options.encoding}`);
    this.transport = options.transport;
    this.settings = options.graphql ?? {};
    const make = TRANSPORTS[options.transport];
    if (!make) {
      const known = Object.keys(TRANSPORTS).join(', ');
      throw new Error(`graphql client: expected transport ${known}, got ${options.transport}`);
    }
    this.http = make(options);
    const counters = this.http.wireCounters?.bind(this.http);
    if (counters) this.wireCounters = counters;
    const tls = this.http.tls;
    if (tls) this.tlsResumption = () => tls.state();
    const audit = tls?.audit?.bind(tls);
    if (audit) this.auditResumption = audit;
  }

  connect(): Promise<void> {
    return this.http.connect();
  }

  lastBackendCalls(): number | undefined {
    return this.lastCalls;
  }

  async unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    input: MessageInitShape<I>,
    options: CallOptions = {},
  ): Promise<MessageShape<O>> {
    const op = UNARY_OPERATIONS[method.localName];
    if (!op) throw new ClientError('UNIMPLEMENTED', `graphql: no operation for ${method.name}`);
    const data = await this.execute(op, op.request(create(method.input, input)), options);
    return op.response(data) as MessageShape<O>;
  }

  /** The `feed` subscription over SSE; stopping early (break, return) closes the stream. */
  async *serverStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodServerStreaming<I, O>,
    input: MessageInitShape<I>,
    options: CallOptions = {},
  ): AsyncGenerator<MessageShape<O>> {
    if (method.localName !== 'streamFeed') {
      throw new ClientError('UNIMPLEMENTED', `graphql: no subscription for ${method.name}`);
    }
    const { query, variables } = STREAM_FEED.request(create(method.input, input));
    const request = this.post(query, variables, 'text/event-stream');
    const response = await this.http.send(request, options);
    let complete = false;
    try {
      if (!response.contentType.startsWith('text/event-stream')) {
        throw this.failure(response.status, await readText(response, options.signal));
      }
      for await (const event of sseEvents(response.body)) {
        if (event.event === 'complete') {
          complete = true;
          return;
        }
        if (event.event !== 'next') continue;
        const data = this.dataOf(response.status, event.data);
        yield STREAM_FEED.response(data) as MessageShape<O>;
      }
      throw new ClientError('UNAVAILABLE', 'graphql: expected an SSE complete event, got end of stream');
    } catch (error) {
      throw asClientError(error, options.signal);
    } finally {
      if (!complete) response.cancel();
    }
  }

  /** GraphQL has no client stream: the inputs are buffered and sent as one `importPosts` mutation. */
  async clientStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodClientStreaming<I, O>,
    inputs: AsyncIterable<MessageInitShape<I>>,
    options: CallOptions = {},
  ): Promise<MessageShape<O>> {
    if (method.localName !== 'importPosts') {
      throw new ClientError('UNIMPLEMENTED', `graphql: no mutation for ${method.name}`);
    }
    const all: MessageShape<I>[] = [];
    for await (const input of inputs) all.push(create(method.input, input));
    const data = await this.execute(IMPORT_POSTS, IMPORT_POSTS.request(all), options);
    return IMPORT_POSTS.response(data) as MessageShape<O>;
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  /** One request/response exchange: GET (persisted id) for queries when asked, else POST JSON. */
  private async execute(
    op: Pick<Operation, 'mutation'>,
    doc: { readonly query: string; readonly variables: Record<string, unknown> },
    options: CallOptions,
  ): Promise<Data> {
    const request =
      this.settings.get && !op.mutation
        ? this.persistedGet(doc.query, doc.variables)
        : this.post(doc.query, doc.variables, ACCEPT);
    const response = await this.http.send(request, options);
    return this.dataOf(response.status, await readText(response, options.signal));
  }

  /** `data` of a GraphQL response body, or the error it carries (GraphQL errors first, then HTTP status). */
  private dataOf(status: number, text: string): Data {
    let body: { data?: unknown; errors?: unknown; extensions?: { backendCalls?: unknown } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw this.failure(status, text);
    }
    const calls = body.extensions?.backendCalls;
    this.lastCalls = typeof calls === 'number' ? calls : undefined;
    if (Array.isArray(body.errors) && body.errors.length > 0) throw fromGraphqlErrors(body.errors, status);
    if (status < 200 || status > 299) throw fromHttpStatus(status, text);
    if (typeof body.data !== 'object' || body.data === null) {
      throw new ClientError('INTERNAL', `graphql: expected a data object, got ${text.slice(0, 200)}`);
    }
    return body.data as Data;
  }

  private failure(status: number, text: string): ClientError {
    try {
      const body = JSON.parse(text) as { errors?: unknown };
      if (Array.isArray(body.errors) && body.errors.length > 0) return fromGraphqlErrors(body.errors, status);
    } catch {
      // not JSON: the status says it
    }
    return fromHttpStatus(status, text);
  }

  private post(query: string, variables: Record<string, unknown>, accept: string): HttpRequest {
    return {
      method: 'POST',
      path: GRAPHQL_PATH,
      headers: { ...this.headers(accept), 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    };
  }

  private persistedGet(query: string, variables: Record<string, unknown>): HttpRequest {
    const search = new URLSearchParams({ id: idOf(query), variables: JSON.stringify(variables) });
    return { method: 'GET', path: `${GRAPHQL_PATH}?${search}`, headers: this.headers(ACCEPT) };
  }

  private headers(accept: string): Record<string, string> {
    const { dataloader } = this.settings;
    if (dataloader === undefined) return { accept };
    return { accept, [DATALOADER_HEADER]: dataloader ? 'on' : 'off' };
  }
}

const IDS = new Map<string, string>();

/** Persisted ids are hashed once per document text, not per call. */
function idOf(query: string): string {
  let id = IDS.get(query);
  if (id === undefined) {
    id = persistedQueryId(query);
    IDS.set(query, id);
  }
  return id;
}
