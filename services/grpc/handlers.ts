import { type EventEmitter, once } from 'node:events';
import type { Readable } from 'node:stream';
import { type DescMessage, type DescMethod, fromBinary, type MessageShape } from '@bufbuild/protobuf';
import type {
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  sendUnaryData,
  UntypedHandleCall,
} from '@grpc/grpc-js';
import { type CallContext, CoreError } from '../core/index.js';
import { toGrpcStatus } from './status.js';

type Message = MessageShape<DescMessage>;

/** A FeedCore method seen generically: one proto message (or a stream of them) in, a result out. */
export type CoreMethod = (input: unknown, ctx: CallContext) => unknown;

/**
 * Builds the grpc-js handler for one method. There is one adapter per method
 * *kind*, not per method: every handler decodes, delegates to the FeedCore
 * method of the same `localName`, and maps errors with {@link toGrpcStatus}.
 */
export function makeHandler(method: DescMethod, run: CoreMethod): UntypedHandleCall {
  switch (method.methodKind) {
    case 'unary':
      return (call: ServerUnaryCall<Buffer, Message>, callback: sendUnaryData<Message>) => {
        const ctx = contextOf(call);
        respond(async () => run(decode(method.input, call.request), ctx), callback);
      };
    case 'server_streaming':
      return (call: ServerWritableStream<Buffer, Message>) => {
        const ctx = contextOf(call);
        void stream(call, ctx, () => run(decode(method.input, call.request), ctx));
      };
    case 'client_streaming':
      return (call: ServerReadableStream<Buffer, Message>, callback: sendUnaryData<Message>) => {
        const ctx = contextOf(call);
        respond(async () => run(decodeEach(method.input, call), ctx), callback);
      };
    case 'bidi_streaming':
      return (call: ServerDuplexStream<Buffer, Message>) => {
        const ctx = contextOf(call);
        void stream(call, ctx, () => run(decodeEach(method.input, call), ctx));
      };
  }
}

/** An AbortSignal that fires when the client cancels, so the core stops work nobody will read. */
function contextOf(call: EventEmitter): Required<CallContext> {
  const controller = new AbortController();
  call.once('cancelled', () => controller.abort());
  return { signal: controller.signal };
}

/**
 * Decodes one request. Undecodable bytes are the caller's fault, so they
 * become INVALID_ARGUMENT here (grpc-js itself would say INTERNAL).
 */
export function decode<S extends DescMessage>(schema: S, bytes: Uint8Array): MessageShape<S> {
  try {
    return fromBinary(schema, bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'undecodable';
    throw new CoreError(
      'INVALID_ARGUMENT',
      `request: expected a binary ${schema.typeName}, got bytes that do not decode (${reason})`,
    );
  }
}

/**
 * The request stream as decoded messages. `destroyOnReturn: false` because the
 * core may stop reading early (a validation error): destroying the call there
 * would also destroy its writable side, and the error status would never be sent.
 */
async function* decodeEach<S extends DescMessage>(
  schema: S,
  call: Readable,
): AsyncGenerator<MessageShape<S>> {
  for await (const bytes of call.iterator({ destroyOnReturn: false })) {
    yield decode(schema, bytes as Buffer);
  }
}

/** Settles a single-response call; sync throws and rejections both become a status. */
function respond(produce: () => Promise<unknown>, callback: sendUnaryData<Message>): void {
  produce().then(
    (result) => callback(null, result as Message),
    (error: unknown) => callback(toGrpcStatus(error)),
  );
}

/**
 * Writes the core's async generator to a response stream, one message at a
 * time, waiting for 'drain' whenever `write` says the buffer is full, and
 * stopping as soon as the client cancels (the signal also reaches the core).
 */
async function stream(
  call: ServerWritableStream<Buffer, Message> | ServerDuplexStream<Buffer, Message>,
  ctx: Required<CallContext>,
  produce: () => unknown,
): Promise<void> {
  try {
    const messages = produce() as AsyncIterable<Message>;
    for await (const message of messages) {
      if (ctx.signal.aborted) return;
      if (!call.write(message)) await once(call, 'drain', { signal: ctx.signal });
    }
    if (!ctx.signal.aborted) call.end();
  } catch (error) {
    // A cancelled call has nobody to tell; otherwise grpc-js turns 'error' into the trailing status.
    if (!ctx.signal.aborted) call.emit('error', toGrpcStatus(error));
  }
}
