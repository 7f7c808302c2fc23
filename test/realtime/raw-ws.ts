import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** Opcodes of RFC 6455. */
export const OP = { text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface FrameSpec {
  readonly opcode: number;
  readonly payload?: Uint8Array | string;
  readonly fin?: boolean;
  /** RSV1..3 as bits 0b100, 0b010, 0b001. */
  readonly rsv?: number;
  /** Clients must mask; false writes an (illegal) unmasked client frame. */
  readonly masked?: boolean;
}

/** Builds one WebSocket frame byte by byte, legal or not: abuse tests need the illegal ones. */
export function frame(spec: FrameSpec): Buffer {
  const payload =
    typeof spec.payload === 'string' ? Buffer.from(spec.payload) : Buffer.from(spec.payload ?? []);
  const masked = spec.masked ?? true;
  const len = payload.length;
  const head: number[] = [((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode];
  const maskBit = masked ? 0x80 : 0;
  if (len < 126) head.push(maskBit | len);
  else if (len < 65_536) head.push(maskBit | 126, len >> 8, len & 0xff);
  else {
    head.push(maskBit | 127, 0, 0, 0, 0);
    head.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ (key[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** A raw TCP socket that completed the WebSocket handshake, and what the server sent after the 101 so far. */
export interface RawWs {
  readonly socket: net.Socket;
  /** Resolves with the close code of the server's first close frame, or 1006 when the TCP connection ends without one. */
  readonly closeCode: Promise<number>;
  /** The payloads of the complete text frames the server sent so far, in order. */
  readonly texts: readonly string[];
}

/**
 * Performs the HTTP/1.1 Upgrade by hand on `url` (http://host:port) at
 * `path` with `subprotocol`, and watches for the server's text frames and
 * close frame.
 */
export function rawWebSocket(url: string, subprotocol = 'wirebench.v1.json', path = '/ws'): Promise<RawWs> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const texts: string[] = [];
    let settleClose!: (code: number) => void;
    const closeCode = new Promise<number>((r) => {
      settleClose = r;
    });
    socket.once('close', () => {
      settleClose(1006);
      if (!upgraded) reject(new Error('raw websocket: connection closed before the 101'));
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffer.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101'))
          return reject(new Error(`raw websocket: expected 101, got ${head.split('\r\n')[0]}`));
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve({ socket, closeCode, texts });
      }
      const code = findClose(buffer, texts);
      if (code !== undefined) settleClose(code);
    });
    socket.write(
      [
        `GET ${path} HTTP/1.1`,
        `Host: ${hostname}:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Protocol: ${subprotocol}`,
        '',
        '',
      ].join('\r\n'),
    );
  });
}

/**
 * Walks server frames (unmasked) in `buffer` and returns the first close
 * frame's code, if complete; `texts` is refilled with the complete text
 * frames before it (the whole buffer is walked on every chunk).
 */
function findClose(buffer: Buffer, texts: string[]): number | undefined {
  texts.length = 0;
  let at = 0;
  while (at + 2 <= buffer.length) {
    const opcode = (buffer[at] ?? 0) & 0x0f;
    let len = (buffer[at + 1] ?? 0) & 0x7f;
    let start = at + 2;
    if (len === 126) {
      if (start + 2 > buffer.length) return undefined;
      len = buffer.readUInt16BE(start);
      start += 2;
    } else if (len === 127) {
      if (start + 8 > buffer.length) return undefined;
      len = Number(buffer.readBigUInt64BE(start));
      start += 8;
    }
    if (start + len > buffer.length) return undefined;
    if (opcode === OP.close) return len >= 2 ? buffer.readUInt16BE(start) : 1005;
    if (opcode === OP.text) texts.push(buffer.subarray(start, start + len).toString());
    at = start + len;
  }
  return undefined;
}
