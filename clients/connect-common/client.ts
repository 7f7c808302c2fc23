import type {
  DescMessage,
  DescMethodBiDiStreaming,
  DescMethodClientStreaming,
  DescMethodServerStreaming,
  DescMethodUnary,
  DescService,
  MessageInitShape,
  MessageShape,
} from '@bufbuild/protobuf';
import {
  Code,
  type CallOptions as ConnectCallOptions,
  ConnectError,
  createClient,
  type Transport,
} from '@connectrpc/connect';
import type { CommonTransportOptions } from '@connectrpc/connect/protocol';
import type { WireCounters } from '../../lib/http3/index.js';
import type { EncodingId, TransportId } from '../../protocols/types.js';
import { ClientError } from '../errors.js';
import type {
  CallOptions,
  ClientOptions,
  ProtocolClient,
  ResumptionAudit,
  TlsResumptionState,
} from '../types.js';
import { toClientError } from './errors.js';
import { FirstByteProbe, firstByteContext } from './first-byte.js';
import { type HttpLink, openHttpLink } from './http-link.js';

/**
 * What distinguishes the Connect, gRPC-Web and (on h3) gRPC clients: the
 * protocol's connect-es `createTransport` and the encodings offered.
 * Everything else — connections, TTFB, cancellation, errors — is shared.
 */
export interface RpcClientProtocol {
  readonly id: 'connect' | 'grpc-web' | 'grpc';
  readonly encodings: readonly EncodingId[];
  readonly createTransport: (options: CommonTransportOptions) => Transport;
}

/** A connect-es promise-client method, seen generically. */
type AnyMethod = (input: unknown, options: ConnectCallOptions) => unknown;

/**
 * A ProtocolClient on connect-es: `createClient(service, transport)` over
 * the protocol's transport, with the link's HTTP client (connect-node's
 * over TCP, lib/http3's over QUIC) wrapped for TTFB (see {@link FirstByteProbe}). Compression is off both
 * ways, so every protocol in the bench moves the same uncompressed bytes.
 */
export class RpcClient implements ProtocolClient {
  readonly protocol: RpcClientProtocol['id'];
  readonly transport: TransportId;
  readonly encoding: EncodingId;
  /**
   * h3 only (absent on TCP transports, where the kernel's tcp_info counts):
   * UDP payload bytes this client's QUIC connections sent and received,
   * closed connections included — monotonic, so diff two readings. Same
   * name and shape as the REST client's.
   */
  readonly wireCounters?: () => WireCounters;
  /** h1s and h3: TLS sessions (QUIC: tickets) offered, received and resumed (the h2 session manager hides its socket). */
  readonly tlsResumption?: () => TlsResumptionState;
  /** h3 only: whether the server resumes a ticket, decided on connections of its own. */
  readonly auditResumption?: (session: Buffer) => Promise<ResumptionAudit>;
  private readonly link: HttpLink;
  private readonly rpc: Transport;
  private readonly clients = new Map<DescService, Record<string, AnyMethod>>();
  /** Calls in flight, so `close()` can cancel them as the interface promises. */
  private readonly active = new Set<AbortController>();

  constructor(spec: RpcClientProtocol, options: ClientOptions) {
    if (!spec.encodings.includes(options.encoding)) {
      throw new Error(
        `${spec.id}: expected encoding ${spec.encodings.join(' or ')}, got ${options.encoding}`,
      );
    }
    this.protocol = spec.id;
    this.transport = options.transport;
    this.encoding = options.encoding;
    this.link = openHttpLink(spec.id, options);
    const counters = this.link.wireCounters;
    if (counters) this.wireCounters = counters;
    const tls = this.link.tls;
    if (tls) this.tlsResumption = () => tls.state();
    const audit = tls?.audit?.bind(tls);
    if (audit) this.auditResumption = audit;
    const probe = new FirstByteProbe();
    this.rpc = spec.createTransport({
      baseUrl: options.url,
      httpClient: probe.wrap(this.link.httpClient),
      useBinaryFormat: options.encoding === 'proto',
      interceptors: [probe.interceptor],
      acceptCompression: [],
      sendCompression: null,
      compressMinBytes: Number.MAX_SAFE_INTEGER,
      readMaxBytes: 0xffffffff,
      writeMaxBytes: 0xffffffff,
    });
  }

  connect(): Promise<void> {
    return this.link.connect();
  }

  async unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    input: MessageInitShape<I>,
    options: CallOptions = {},
  ): Promise<MessageShape<O>> {
    const call = this.begin(options);
    try {
      return (await this.method(method)(input, call.options)) as MessageShape<O>;
    } catch (error) {
      throw toClientError(this.protocol, error);
    } finally {
      call.end();
    }
  }

  async *serverStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodServerStreaming<I, O>,
    input: MessageInitShape<I>,
    options: CallOptions = {},
  ): AsyncGenerator<MessageShape<O>> {
    yield* this.stream<O>(method, input, options);
  }

  async clientStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodClientStreaming<I, O>,
    inputs: AsyncIterable<MessageInitShape<I>>,
    options: CallOptions = {},
  ): Promise<MessageShape<O>> {
    const call = this.begin(options);
    try {
      return (await this.method(method)(inputs, call.options)) as MessageShape<O>;
    } catch (error) {
      throw toClientError(this.protocol, error);
    } finally {
      call.end();
    }
  }

  /** Bidi needs a full-duplex exchange: HTTP/2 or HTTP/3 (connect-es servers answer 505 on HTTP/1.1). */
  async *bidiStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodBiDiStreaming<I, O>,
    inputs: AsyncIterable<MessageInitShape<I>>,
    options: CallOptions = {},
  ): AsyncGenerator<MessageShape<O>> {
    if (this.transport === 'h1' || this.transport === 'h1s') {
      throw new ClientError(
        'UNIMPLEMENTED',
        `${this.protocol}: bidi streaming needs HTTP/2 or HTTP/3 (full duplex), got ${this.transport} (HTTP/1.1)`,
      );
    }
    yield* this.stream<O>(method, inputs, options);
  }

  /** Cancels calls still in flight (they fail with CANCELLED), then frees every connection. */
  async close(): Promise<void> {
    const reason = new ConnectError(`${this.protocol}: client closed`, Code.Canceled);
    for (const controller of this.active) controller.abort(reason);
    await this.link.close();
  }

  /**
   * Server and bidi streams alike: messages as they arrive. connect-es'
   * stream iterables deliberately have no `return()`, so leaving the loop
   * early would leave the call running; the abort here cancels it (the
   * server's handler signal fires and the core stops producing).
   */
  private async *stream<O extends DescMessage>(
    method: DescMethodServerStreaming<DescMessage, O> | DescMethodBiDiStreaming<DescMessage, O>,
    input: unknown,
    options: CallOptions,
  ): AsyncGenerator<MessageShape<O>> {
    const call = this.begin(options);
    let settled = false;
    try {
      yield* this.method(method)(input, call.options) as AsyncIterable<MessageShape<O>>;
      settled = true;
    } catch (error) {
      settled = true;
      throw toClientError(this.protocol, error);
    } finally {
      if (!settled) call.cancel(`${this.protocol}: stream left early by the caller`);
      call.end();
    }
  }

  /**
   * Per call: a signal that the caller's signal, an early exit and `close()`
   * abort, and the `onFirstByte` context. Returns the connect-es call
   * options, the cancel and the undo.
   */
  private begin(options: CallOptions): {
    options: ConnectCallOptions;
    cancel(reason: string): void;
    end(): void;
  } {
    const controller = new AbortController();
    const { signal, onFirstByte } = options;
    const abort = (): void => controller.abort(signal?.reason);
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
    this.active.add(controller);
    return {
      options: {
        signal: controller.signal,
        ...(onFirstByte ? { contextValues: firstByteContext(onFirstByte) } : {}),
      },
      cancel: (reason) => controller.abort(new ConnectError(reason, Code.Canceled)),
      end: () => {
        this.active.delete(controller);
        signal?.removeEventListener('abort', abort);
      },
    };
  }

  /** The promise-client method for a descriptor; one client per service, made on first use. */
  private method(method: { readonly parent: DescService; readonly localName: string }): AnyMethod {
    let client = this.clients.get(method.parent);
    if (!client) {
      client = createClient(method.parent, this.rpc) as unknown as Record<string, AnyMethod>;
      this.clients.set(method.parent, client);
    }
    const fn = client[method.localName];
    if (!fn) throw new Error(`${this.protocol}: ${method.parent.typeName} has no method ${method.localName}`);
    return fn;
  }
}
