import type { ChatMessage } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { AsyncQueue } from '../../services/realtime/async-queue.js';
import { ClientError } from '../errors.js';

/** How an echo stream reaches the connection that carries chat messages both ways. */
export interface EchoLink {
  /** Sends one chat message; throws when the connection is gone. */
  send(message: ChatMessage): void;
  /** Settles when the connection is lost: the echo fails with UNAVAILABLE (a chat has no resume). */
  readonly closed: Promise<void>;
}

/**
 * One chat echo over a message connection (Socket.IO events; the same shape
 * as WebSocket frames): sends every input message, yields the echoes the
 * client hands to `deliver`, and ends after the echo of the last input — the
 * server answers each message exactly once, in order, so counting is enough.
 */
export class EchoStream implements AsyncIterable<ChatMessage> {
  private readonly out = new AsyncQueue<ChatMessage>();
  private sent = 0;
  private received = 0;
  private inputDone = false;

  constructor(link: EchoLink, messages: AsyncIterable<ChatMessage>) {
    void link.closed.then(() => this.fail(new ClientError('UNAVAILABLE', 'echo: connection lost')));
    void (async () => {
      for await (const message of messages) {
        if (this.out.ended) return;
        link.send(message);
        this.sent++;
      }
      this.inputDone = true;
      if (this.received === this.sent) this.out.end();
    })().catch((error: unknown) => this.fail(error));
  }

  /** An echo arrived from the server. */
  deliver(message: ChatMessage): void {
    this.out.push(message);
    this.received++;
    if (this.inputDone && this.received === this.sent) this.out.end();
  }

  /** Ends the stream with an error (a refusal, a lost connection, the client closing). */
  fail(error: unknown): void {
    this.out.fail(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatMessage> {
    return this.out[Symbol.asyncIterator]();
  }
}
