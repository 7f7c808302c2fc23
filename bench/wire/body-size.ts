import { type DescMessage, type MessageShape, toBinary, toJson } from '@bufbuild/protobuf';
import type { EncodingId } from '../../protocols/types.js';

/**
 * Size of a message encoded as the protocol's body would carry it: protobuf
 * binary for `proto`, protobuf JSON with every field emitted for `json` (the
 * REST shape). Framing (gRPC's 5-byte prefix, HTTP chunking) is not body: it
 * shows up in wire − body.
 */
export function encodedBodySize<D extends DescMessage>(
  schema: D,
  message: MessageShape<D>,
  encoding: EncodingId,
): number {
  if (encoding === 'proto') return toBinary(schema, message).byteLength;
  return Buffer.byteLength(JSON.stringify(toJson(schema, message, { alwaysEmitImplicit: true })));
}

/** Running mean of request/response body sizes over the sampled operations. */
export class BodyMeter {
  private samples = 0;
  private request = 0;
  private response = 0;

  add(requestBytes: number, responseBytes: number): void {
    this.samples++;
    this.request += requestBytes;
    this.response += responseBytes;
  }

  perOp(): { requestBody: number; responseBody: number } {
    if (this.samples === 0) return { requestBody: 0, responseBody: 0 };
    return { requestBody: this.request / this.samples, responseBody: this.response / this.samples };
  }
}
