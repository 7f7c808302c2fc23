import type { Socket } from 'socket.io';

/** engine.io's connection object, as socket.io exposes it (`socket.conn`). */
type Conn = Socket['conn'];

interface EnginePacket {
  readonly data?: unknown;
}

/**
 * Bytes one Socket.IO connection holds in user space, not yet taken by the
 * kernel: packets engine.io has queued but not flushed (its write buffer
 * grows while the transport is busy — a WebSocket send not yet written, or,
 * for polling, no GET waiting to carry them), plus, over WebSocket, what the
 * TCP socket still buffers. engine.io keeps its write buffer private, so the
 * meter follows its public `packetCreate` and `flush` events instead.
 */
export class QueueMeter {
  private pending = 0;
  private readonly onPacket = (packet: EnginePacket): void => {
    this.pending += sizeOf(packet.data);
  };
  private readonly onFlush = (): void => {
    // A flush hands the whole write buffer to the transport.
    this.pending = 0;
  };

  constructor(private readonly conn: Conn) {
    conn.on('packetCreate', this.onPacket);
    conn.on('flush', this.onFlush);
  }

  bytes(): number {
    const tcp =
      this.conn.transport.name === 'websocket' ? (this.conn.request.socket?.writableLength ?? 0) : 0;
    return this.pending + tcp;
  }

  dispose(): void {
    this.conn.off('packetCreate', this.onPacket);
    this.conn.off('flush', this.onFlush);
  }
}

/**
 * Cuts a connection whose peer stopped reading. Over WebSocket the TCP socket
 * is destroyed (a close frame would wait behind the backlog); a polling
 * session is closed with its queue discarded.
 */
export function cutConnection(conn: Conn): void {
  if (conn.transport.name === 'websocket') conn.request.socket?.destroy();
  conn.close(true);
}

function sizeOf(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}
