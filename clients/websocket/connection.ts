import WebSocket from 'ws';
import type { EncodingId } from '../../protocols/types.js';
import {
  type ClientFrame,
  type ServerFrame,
  SUBPROTOCOLS,
  WS_PATH,
} from '../../services/websocket/frame-types.js';
import { asServerFrame, decodeFrame, encodeFrame } from '../../services/websocket/frames.js';
import { ClientError, type ClientErrorCode } from '../errors.js';

type Reply = (frame: ServerFrame) => void;

/** How long `close()` waits for the server to answer the close frame before cutting the socket. */
const CLOSE_GRACE_MS = 1000;

const KNOWN_CODES: ReadonlySet<string> = new Set<ClientErrorCode>([
  'CANCELLED',
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'RESOURCE_EXHAUSTED',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
]);

/** An `error` frame as the ClientError it stands for. */
export function errorOf(frame: ServerFrame): ClientError {
  if (frame.type !== 'error')
    return new ClientError('INTERNAL', `reply: expected a reply to the request, got ${frame.type}`);
  const code = KNOWN_CODES.has(frame.code) ? (frame.code as ClientErrorCode) : 'UNKNOWN';
  return new ClientError(code, frame.message, frame.code);
}

/**
 * The one WebSocket a client holds, redialled on demand after it is lost.
 * Requests get ids and their replies are handed to a callback synchronously,
 * in socket order — so a `subscribed` ack is processed before the events that
 * follow it in the same TCP read.
 */
export class WsConnection {
  private ws: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { reply: Reply; fail: (error: ClientError) => void }>();
  private readonly closedOf = new WeakMap<WebSocket, Promise<void>>();
  /** Set by `close()`: final, no more dialling. */
  private shut = false;

  constructor(
    private readonly url: string,
    private readonly encoding: EncodingId,
    private readonly caPem: string | undefined,
    private readonly onFrame: (frame: ServerFrame) => void,
  ) {}

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** The open socket, if there is one (no dialling). */
  get current(): WebSocket | undefined {
    return this.isOpen ? this.ws : undefined;
  }

  /** The open socket, dialling first if there is none; concurrent callers share one dial. */
  open(): Promise<WebSocket> {
    if (this.shut) return Promise.reject(new ClientError('CANCELLED', 'websocket: the client is closed'));
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return Promise.resolve(this.ws);
    this.opening ??= this.dial().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Settles when `ws` has closed, however it closed. */
  closed(ws: WebSocket): Promise<void> {
    return this.closedOf.get(ws) ?? Promise.resolve();
  }

  send(ws: WebSocket, frame: ClientFrame): void {
    if (ws.readyState !== WebSocket.OPEN)
      throw new ClientError('UNAVAILABLE', 'websocket: expected an open connection, got a closed one');
    const data = encodeFrame(frame, this.encoding);
    ws.send(data, { binary: typeof data !== 'string' });
  }

  /** Sends a request with a fresh id; `reply` gets the answer, `fail` a lost connection. */
  request(
    ws: WebSocket,
    build: (id: number) => ClientFrame,
    reply: Reply,
    fail: (error: ClientError) => void,
  ): void {
    const id = this.nextId++ % 0x1_0000_0000;
    this.pending.set(id, { reply, fail });
    try {
      this.send(ws, build(id));
    } catch (error) {
      this.pending.delete(id);
      fail(error as ClientError);
    }
  }

  async close(): Promise<void> {
    this.shut = true;
    // A dial in flight finishes first, then finds `shut` and closes its socket itself.
    await this.opening?.catch(() => {});
    const ws = this.ws;
    this.ws = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const closed = this.closed(ws);
    ws.close(1000, 'client closing');
    const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    await closed;
    clearTimeout(timer);
  }

  private dial(): Promise<WebSocket> {
    const target = new URL(WS_PATH, this.url.replace(/^http/, 'ws'));
    const ws = new WebSocket(target, [SUBPROTOCOLS[this.encoding]], {
      ca: this.caPem,
      perMessageDeflate: false,
    });
    this.closedOf.set(ws, new Promise((resolve) => ws.once('close', () => resolve())));
    ws.on('message', (data, isBinary) => this.onMessage(ws, data as Buffer, isBinary));
    ws.once('close', (code) => {
      if (this.ws === ws) this.ws = undefined;
      // Requests on a lost socket are not retried: a publish is not idempotent.
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.fail(new ClientError('UNAVAILABLE', `websocket: closed (${code}) before the reply`));
      }
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        if (this.shut) {
          ws.close(1000, 'client closing');
          return reject(new ClientError('CANCELLED', 'websocket: the client closed while connecting'));
        }
        this.ws = ws;
        resolve(ws);
      });
      ws.on('error', (error) => reject(new ClientError('UNAVAILABLE', `websocket: ${error.message}`)));
    });
  }

  private onMessage(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    let frame: ServerFrame;
    try {
      frame = asServerFrame(decodeFrame(data, isBinary));
    } catch {
      // The server broke the protocol: drop the connection; subscriptions resume on a new one.
      return void ws.terminate();
    }
    const id = 'id' in frame ? frame.id : undefined;
    const waiting = id === undefined || frame.type === 'event' ? undefined : this.pending.get(id);
    if (waiting && id !== undefined) {
      this.pending.delete(id);
      waiting.reply(frame);
      return;
    }
    this.onFrame(frame);
  }
}
