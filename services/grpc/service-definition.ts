import {
  create,
  type DescMessage,
  type DescMethod,
  type DescMethodBiDiStreaming,
  type DescMethodClientStreaming,
  type DescMethodServerStreaming,
  type DescMethodUnary,
  type DescService,
  fromBinary,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from '@bufbuild/protobuf';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/** The client half of a grpc-js method definition (grpc-js does not export its own name for it). */
export type ClientMethodDefinition<Req, Res> = Pick<
  MethodDefinition<Req, Res>,
  'path' | 'requestStream' | 'responseStream' | 'requestSerialize' | 'responseDeserialize'
>;

/**
 * The gRPC path of a method, `/package.Service/Method`, derived from the
 * protobuf-es descriptor so the `.proto` stays the only schema (no proto-loader).
 */
export function grpcPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

/** `toBinary` as a Buffer view (no copy): grpc-js frames messages with Buffer methods. */
export function encodeMessage<S extends DescMessage>(schema: S, message: MessageShape<S>): Buffer {
  const bytes = toBinary(schema, message);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A method descriptor of any kind with its input and output types kept. */
export type TypedDescMethod<I extends DescMessage, O extends DescMessage> =
  | DescMethodUnary<I, O>
  | DescMethodServerStreaming<I, O>
  | DescMethodClientStreaming<I, O>
  | DescMethodBiDiStreaming<I, O>;

/**
 * Server side: the request stays raw bytes; see {@link serverServiceDefinition} for why.
 * With `shared`, each response object is encoded once however many calls
 * send it (fan-out: the hub hands every subscriber the same message).
 */
function serverMethod(
  method: DescMethod,
  shared: boolean,
): MethodDefinition<Buffer, MessageShape<DescMessage>> {
  const cache = new WeakMap<object, Buffer>();
  const encodeShared = (message: MessageShape<DescMessage>): Buffer => {
    let bytes = cache.get(message);
    if (!bytes) {
      bytes = encodeMessage(method.output, message);
      cache.set(message, bytes);
    }
    return bytes;
  };
  return {
    path: grpcPath(method),
    requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
    responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
    originalName: method.localName,
    requestSerialize: (bytes) => bytes,
    requestDeserialize: (bytes) => bytes,
    responseSerialize: shared ? encodeShared : (message) => encodeMessage(method.output, message),
    responseDeserialize: (bytes) => fromBinary(method.output, bytes),
  };
}

/**
 * A grpc-js service definition for the server, keyed by each method's
 * `localName` (the FeedCore method name).
 *
 * `requestDeserialize` is the identity on purpose: in grpc-js 1.14.7
 * (`build/src/server-interceptors.js`, `decompressAndMaybePush`) a throwing
 * deserializer is answered with `Status.INTERNAL` ("Error deserializing
 * request"), but an undecodable request is the caller's fault and must read
 * INVALID_ARGUMENT like on every other protocol. Handlers therefore decode with
 * {@link decodeRequest} inside a try/catch. (Oversize messages are refused
 * earlier, in `handleDataFrame`, with RESOURCE_EXHAUSTED — that part we keep.)
 */
export function serverServiceDefinition(
  service: DescService,
  options: { readonly sharedResponses?: boolean } = {},
): ServiceDefinition {
  const definition: Record<string, MethodDefinition<Buffer, MessageShape<DescMessage>>> = {};
  for (const method of service.methods) {
    definition[method.localName] = serverMethod(method, options.sharedResponses ?? false);
  }
  return definition;
}

/**
 * Client side of one method: accepts a `MessageInitShape` (what the bench
 * passes) and decodes responses eagerly. `create` returns an already-built
 * message unchanged, so passing full messages costs nothing extra.
 */
export function clientMethodDefinition<I extends DescMessage, O extends DescMessage>(
  method: TypedDescMethod<I, O>,
): ClientMethodDefinition<MessageInitShape<I>, MessageShape<O>> {
  return {
    path: grpcPath(method),
    requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
    responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
    requestSerialize: (init) => encodeMessage(method.input, create(method.input, init)),
    responseDeserialize: (bytes) => fromBinary(method.output, bytes),
  };
}

/** All client method definitions of a service, keyed by `localName` (e.g. for `makeGenericClientConstructor`). */
export function clientServiceDefinition(
  service: DescService,
): Record<string, ClientMethodDefinition<MessageInitShape<DescMessage>, MessageShape<DescMessage>>> {
  const definition: Record<
    string,
    ClientMethodDefinition<MessageInitShape<DescMessage>, MessageShape<DescMessage>>
  > = {};
  for (const method of service.methods) definition[method.localName] = clientMethodDefinition(method);
  return definition;
}
