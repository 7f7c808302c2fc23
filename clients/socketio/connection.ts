import http from 'node:http';
import https from 'node:https';
import type { Socket as NetSocket } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { SIO_EVENTS, SOCKETIO_PATH, type WireError, wireErrorOf } from '../../services/socketio/protocol.js';
import { ClientError } from '../errors.js';
import { errorOf as frameErrorOf } from '../websocket/connection.js';

/** The engine.io transport a connection keeps for its whole life. */
export type SioTransport = 'websocket' | 'polling';

/** Events the server pushes, handed on as their raw JSON (the client decodes them). */
export interface SioHandlers {
  event(json: unknown): void;
  chat(json: unknown): void;
  failure(json: unknown): void;
}

/** From the start of a dial to Socket.IO's `connect` (engine.io handshake + namespace connect). */
const CONNECT_TIMEOUT_MS = 20_000;
/** How long a request waits for its acknowledgement before counting as lost. */
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * How long `close()` lets a session end in order before cutting it: over
 * polling that is two requests in turn (the disconnect packet, then the
 * engine.io close packet), which a busy server may take a while to answer.
 */
const CLOSE_GRACE_MS = 3000;

/** A refusal from the server (an ack's `error`, a `failure` event) as the ClientError it stands for. */
export function errorOf(error: WireError): ClientError {
  // The same code mapping as the WebSocket client's error frames.
  return frameErrorOf({ type: 'error', code: error.code, message: error.message });
}

/**
 * The one Socket.IO connection a client holds, dialled on demand after it is
 * lost. socket.io-client's own reconnection is off (`reconnection: false`):
 * its backoff draws jitter from Math.random, so a run could not be replayed,
 * and it would resubscribe nothing by itself — the shared resume loop
 * (clients/realtime/resumable.ts) redials here with the project's seeded
 * backoff and resubscribes after the last seq. `forceNew` gives every client
 * its own engine.io session: socket.io-client would otherwise multiplex every
 * client of one URL over one connection, and N subscribers must be N connections.
 *
 * Polling runs on a keep-alive agent owned by the connection (the polyfilled
 * XMLHttpRequest otherwise opens a fresh TCP, and TLS, connection per poll,
 * which no browser does); TLS trusts only the run's CA (`caPem`).
 */
export class SioConnection {
  private socket: Socket | undefined;
  private opening: Promise<Socket> | undefined;
  private readonly closedOf = new WeakMap<Socket, Promise<void>>();
  /** Sockets whose engine.io session has not ended yet (a dial cancelled by close() included), with that end. */
  private readonly live = new Map<Socket, Promise<void>>();
  private readonly agent: http.Agent | undefined;
  /** Set by `close()`: final, no more dialling. */
  private shut = false;

  constructor(
    private readonly url: string,
    readonly transport: SioTransport,
    private readonly caPem: string | undefined,
    private readonly handlers: SioHandlers,
  ) {
    if (transport === 'polling') {
      this.agent = pollingAgent(
        url.startsWith('https:')
          ? new https.Agent({ keepAlive: true, ...(caPem ? { ca: caPem } : {}) })
          : new http.Agent({ keepAlive: true }),
      );
      // engine.io-client may still send a request after close() (its close packet): never pool it.
      this.agent.on('free', (socket: NetSocket) => {
        if (this.shut) socket.destroy();
      });
    }
  }

  get isOpen(): boolean {
    return this.socket?.connected === true;
  }

  /** The connected socket, if there is one (no dialling). */
  get current(): Socket | undefined {
    return this.isOpen ? this.socket : undefined;
  }

  /** TCP connections held: the polling pool's sockets, or the one WebSocket. */
  connectionCount(): number {
    if (!this.agent) return this.isOpen ? 1 : 0;
    return countSockets(this.agent.sockets) + countSockets(this.agent.freeSockets);
  }

  /** The connected socket, dialling first if there is none; concurrent callers share one dial. */
  open(): Promise<Socket> {
    if (this.shut) return Promise.reject(new ClientError('CANCELLED', 'socketio: the client is closed'));
    if (this.socket?.connected) return Promise.resolve(this.socket);
    this.opening ??= this.dial().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Settles when `socket` has disconnected (or failed to connect), however it went. */
  closed(socket: Socket): Promise<void> {
    return this.closedOf.get(socket) ?? Promise.resolve();
  }

  /** Settles when `socket` disconnects or `signal` aborts, leaving no listener behind. */
  held(socket: Socket, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted || !socket.connected) return resolve();
      const done = (): void => {
        signal.removeEventListener('abort', done);
        socket.off('disconnect', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      socket.once('disconnect', done);
    });
  }

  /** Emits without acknowledgement (chat messages). */
  send(socket: Socket, event: string, payload: unknown): void {
    if (!socket.connected)
      throw new ClientError('UNAVAILABLE', 'socketio: expected a connected socket, got a disconnected one');
    socket.emit(event, payload);
  }

  /**
   * Emits a request; `reply` gets the acknowledgement, `fail` a refusal, a
   * lost connection or no reply within REQUEST_TIMEOUT_MS. Both run
   * synchronously when the ack arrives, before any packet after it.
   */
  request(
    socket: Socket,
    event: string,
    payload: unknown,
    reply: (value: unknown) => void,
    fail: (error: ClientError) => void,
  ): void {
    if (!socket.connected) {
      return void fail(new ClientError('UNAVAILABLE', `socketio ${event}: expected a connected socket`));
    }
    socket.timeout(REQUEST_TIMEOUT_MS).emit(event, payload, (error: Error | null, value: unknown) => {
      if (error) return fail(new ClientError('UNAVAILABLE', `socketio ${event}: ${error.message}`));
      const refused = wireErrorOf(value);
      if (refused) return fail(errorOf(refused));
      reply(value);
    });
  }

  async close(): Promise<void> {
    this.shut = true;
    // A dial in flight finishes first, then finds `shut` and disconnects its socket itself.
    await this.opening?.catch(() => {});
    this.socket = undefined;
    // Each engine.io session ends after its last packets are written (a polling POST each).
    const ended = [...this.live].map(([socket, end]) => {
      socket.disconnect();
      return end;
    });
    const deadline = performance.now() + CLOSE_GRACE_MS;
    await Promise.race([Promise.all(ended), delay(CLOSE_GRACE_MS)]);
    const agent = this.agent;
    if (agent) {
      while (countSockets(agent.sockets) > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      agent.destroy();
    }
  }

  private dial(): Promise<Socket> {
    const socket = io(this.url, {
      path: SOCKETIO_PATH,
      transports: [this.transport],
      upgrade: false,
      rememberUpgrade: false,
      reconnection: false,
      forceNew: true,
      autoConnect: false,
      timeout: CONNECT_TIMEOUT_MS,
      closeOnBeforeunload: false,
      rejectUnauthorized: true,
      ...(this.caPem ? { ca: this.caPem } : {}),
      // socket.io-client types `agent` as string | boolean; the Node transports hand it to node:http(s).
      ...(this.agent ? { agent: this.agent as unknown as string } : {}),
    });
    this.closedOf.set(
      socket,
      new Promise((resolve) => {
        socket.once('disconnect', () => resolve());
        socket.once('connect_error', () => resolve());
      }),
    );
    socket.on(SIO_EVENTS.event, (json: unknown) => this.handlers.event(json));
    socket.on(SIO_EVENTS.chat, (json: unknown) => this.handlers.chat(json));
    socket.on(SIO_EVENTS.failure, (json: unknown) => this.handlers.failure(json));
    socket.once('disconnect', () => {
      if (this.socket === socket) this.socket = undefined;
      // Releases the Manager and its engine.io session (no reconnection of its own).
      socket.disconnect();
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => {
        if (this.shut) {
          socket.disconnect();
          return reject(new ClientError('CANCELLED', 'socketio: the client closed while connecting'));
        }
        this.socket = socket;
        resolve(socket);
      });
      socket.once('connect_error', (error: Error) => {
        socket.disconnect();
        reject(new ClientError('UNAVAILABLE', `socketio (${this.transport}): ${error.message}`));
      });
      socket.connect();
      // The engine.io client exists once connecting starts; its `close` comes after its last write.
      this.live.set(
        socket,
        new Promise<void>((resolve) =>
          socket.io.engine.once('close', () => {
            this.live.delete(socket);
            resolve();
          }),
        ),
      );
    });
  }
}

/**
 * A keep-alive agent for the polling transport that fails, rather than
 * strands, a request xmlhttprequest-ssl re-sends after a reset. On ECONNRESET
 * of a reused socket it silently issues the request again but never ends it
 * (xmlhttprequest-ssl 2.1.2, XMLHttpRequest.js `errorHandler`), so the poll
 * would hang until the ping timeout. Every request it sends is ended in the
 * same tick it is created; one still open a turn later is that re-send:
 * destroying it surfaces the lost connection, which the resume loop handles.
 */
function failStrandedRequests(req: http.ClientRequest): void {
  setImmediate(() => {
    if (!req.writableEnded) req.destroy(new Error('connection reset (request re-sent without a body)'));
  });
}

/** Node's Agent hands every request to `addRequest` (public in Node's source, absent from @types/node). */
interface AgentInternals {
  addRequest(req: http.ClientRequest, options: http.RequestOptions): void;
}

function pollingAgent(agent: http.Agent): http.Agent {
  const internals = agent as unknown as AgentInternals;
  const addRequest = internals.addRequest.bind(agent);
  internals.addRequest = (req, options) => {
    failStrandedRequests(req);
    addRequest(req, options);
  };
  return agent;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function countSockets(pool: NodeJS.ReadOnlyDict<unknown[]>): number {
  let n = 0;
  for (const list of Object.values(pool)) n += list?.length ?? 0;
  return n;
}
