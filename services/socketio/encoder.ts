import { Decoder, Encoder, type Packet, PacketType } from 'socket.io-parser';
import { SIO_EVENTS } from './protocol.js';

const encoded = new WeakMap<object, unknown[]>();

/**
 * socket.io-parser's Encoder, except that an `event` emitted with a shared
 * payload object (protocol.ts `eventObject`) is encoded once for every
 * subscriber instead of once per socket. Fan-out then costs one
 * JSON.stringify per event, as the WebSocket and SSE adapters do; without it
 * Socket.IO's figures at 10,000 subscribers would measure our JSON encoding,
 * not the protocol. Everything else goes through the stock encoder.
 */
class FanOutEncoder extends Encoder {
  override encode(packet: Packet): unknown[] {
    const data: unknown = packet.data;
    const payload = Array.isArray(data) && data.length === 2 ? (data[1] as unknown) : undefined;
    const shared =
      packet.type === PacketType.EVENT &&
      packet.id === undefined &&
      packet.nsp === '/' &&
      Array.isArray(data) &&
      data[0] === SIO_EVENTS.event &&
      typeof payload === 'object' &&
      payload !== null;
    if (!shared) return super.encode(packet);
    let parts = encoded.get(payload);
    if (!parts) {
      parts = super.encode(packet);
      encoded.set(payload, parts);
    }
    return parts;
  }
}

/** The `parser` option of the Socket.IO server: the stock decoder, the fan-out encoder. */
export const fanOutParser = { Encoder: FanOutEncoder, Decoder };
