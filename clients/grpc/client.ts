import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { createTransport as createGrpcTransport } from '@connectrpc/connect/protocol-grpc';
import { Client } from '@grpc/grpc-js';
import type { TransportId } from '../../protocols/types.js';
import {
  type ClientMethodDefinition,
  clientMethodDefinition,
  type TypedDescMethod,
} from '../../services/grpc/service-definition.js';
import { RpcClient, type RpcClientProtocol } from '../connect-common/index.js';
import { ClientError } from '../errors.js';
import type { CallOptions, ClientOptions, CreateClient, ProtocolClient } from '../types.js';
import { type ActiveCalls, attach, pump, readAll } from './call-plumbing.js';
import { CHANNEL_OPTIONS, channelCredentials } from './channel.js';
import { cancelledBeforeStart, toClientError } from './errors.js';

/** How long `connect()` waits for the HTTP/2 (and TLS) handshake. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Method definitions by descriptor, shared by all clients: built once, no closures per call. */
const DEFINITIONS = new WeakMap<object, ClientMethodDefinition<unknown, unknown>>();

/** gRPC on connect-es: its gRPC transport, binary protobuf only (what gRPC servers expect). */
const GRPC_ON_CONNECT_ES: RpcClientProtocol = {
  id: 'grpc',
  encodings: ['proto'],
  createTransport: createGrpcTransport,
};

/**
 * gRPC client. h2 and h2c use grpc-js's generic `Client`: no generated
 * stubs, just the method descriptors from the `.proto` and protobuf-es
 * (de)serializers, so it speaks exactly the messages the server's core
 * produces. h3 uses connect-es' gRPC transport over lib/http3 (grpc-js has
 * no HTTP/3): the same wire protocol, status in the HTTP/3 trailers, one
 * QUIC connection per client, with `wireCounters()` for the bench.
 */
export const createClient: CreateClient = (options) =>
  options.transport === 'h3' ? new RpcClient(GRPC_ON_CONNECT_ES, options) : new GrpcClient(options);

class GrpcClient implements ProtocolClient {
  readonly protocol = 'grpc';
  readonly transport: TransportId;
  readonly encoding = 'proto';
  private readonly client: Client;
  private readonly active: ActiveCalls = new Set();

  constructor(private readonly options: ClientOptions) {
    if (options.encoding !== 'proto') {
      throw new Error(`grpc: expected encoding proto, got ${options.encoding}`);
    }
    this.transport = options.transport;
    this.client = new Client(new URL(options.url).host, channelCredentials(options), CHANNEL_OPTIONS);
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (error) => {
        if (!error) return resolve();
        reject(
          new ClientError('UNAVAILABLE', `grpc: could not connect to ${this.options.url}: ${error.message}`),
        );
      });
    });
  }

  unary<I extends DescMessage, O extends DescMessage>(
    method: TypedDescMethod<I, O>,
    input: MessageInitShape<I>,
    options: CallOptions = {},
  ): Promise<MessageShape<O>> {
    const def = this.definition(method);
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(cancelledBeforeStart());
      let detach = (): void => {};
      const call = this.client.makeUnaryRequest(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        input,
        (error, value) => {
          detach();
          if (error) reject(toClientError(error));
          else resolve(value as MessageShape<O>);
        },
      );
      detach = attach(call, options, this.active);
    });
  }

  async *serverStream<I extends DescMessage, O extends DescMessage>(
    method: TypedDescMethod<I, O>,
    input: MessageInitShape<I>,
    options: CallOptions = {},
  ): AsyncGenerator<MessageShape<O>> {
    const def = this.definition(method);
    if (options.signal?.aborted) throw cancelledBeforeStart();
    const call = this.client.makeServerStreamRequest(
      def.path,
      def.requestSerialize,
      def.responseDeserialize,
      input,
    );
    yield* readAll<MessageShape<O>>(call, attach(call, options, this.active));
  }

  clientStream<I extends DescMessage, O extends DescMessage>(
    method: TypedDescMethod<I, O>,
    inputs: AsyncIterable<MessageInitShape<I>>,
    options: CallOptions = {},
  ): Promise<MessageShape<O>> {
    const def = this.definition(method);
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) return reject(cancelledBeforeStart());
      let inputError: unknown;
      let detach = (): void => {};
      const call = this.client.makeClientStreamRequest(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        (error, value) => {
          detach();
          if (inputError !== undefined) reject(inputError);
          else if (error) reject(toClientError(error));
          else resolve(value as MessageShape<O>);
        },
      );
      detach = attach(call, options, this.active);
      void pump(inputs, call, (error) => {
        inputError = error;
      });
    });
  }

  async *bidiStream<I extends DescMessage, O extends DescMessage>(
    method: TypedDescMethod<I, O>,
    inputs: AsyncIterable<MessageInitShape<I>>,
    options: CallOptions = {},
  ): AsyncGenerator<MessageShape<O>> {
    const def = this.definition(method);
    if (options.signal?.aborted) throw cancelledBeforeStart();
    const call = this.client.makeBidiStreamRequest(def.path, def.requestSerialize, def.responseDeserialize);
    const detach = attach(call, options, this.active);
    let inputError: unknown;
    void pump(inputs, call, (error) => {
      inputError = error;
    });
    yield* readAll<MessageShape<O>>(call, detach, () => inputError);
  }

  /** Cancels calls still in flight (they fail with CANCELLED), then closes the connection. */
  async close(): Promise<void> {
    for (const call of this.active) call.cancel();
    this.client.close();
  }

  private definition<I extends DescMessage, O extends DescMessage>(
    method: TypedDescMethod<I, O>,
  ): ClientMethodDefinition<MessageInitShape<I>, MessageShape<O>> {
    let def = DEFINITIONS.get(method);
    if (!def) {
      def = clientMethodDefinition(method) as ClientMethodDefinition<unknown, unknown>;
      DEFINITIONS.set(method, def);
    }
    return def as ClientMethodDefinition<MessageInitShape<I>, MessageShape<O>>;
  }
}
