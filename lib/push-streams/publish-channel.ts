import type { EventPayload } from '../../clients/realtime/types.js';
import type { FeedEvent } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { errorOfFrame, lostError, sendFrame, serverFrames } from './client-streams.js';
import type { PushClientConnection, PushStream } from './types.js';

interface Pending {
  resolve(event: FeedEvent): void;
  reject(error: unknown): void;
}

/**
 * The one request stream a session's publishes share: `publish` frames with
 * ids, answered in any order by `published` or `error`. Opened on the first
 * publish of a session; a lost stream fails what is pending (a publish is
 * not idempotent, so it is never retried).
 */
export class PublishChannel {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stream: Promise<PushStream>;
  private broken = false;

  constructor(private readonly session: PushClientConnection) {
    this.stream = session.openStream();
    void this.stream.then((stream) => this.read(stream)).catch((error: unknown) => this.fail(error));
  }

  /** Whether this channel still serves `session`. */
  usable(session: PushClientConnection): boolean {
    return !this.broken && this.session === session && session.open;
  }

  async publish(topic: string, payload: EventPayload): Promise<FeedEvent> {
    const stream = await this.stream;
    const id = this.nextId++ % 0x1_0000_0000;
    return new Promise<FeedEvent>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        sendFrame(stream, { type: 'publish', id, topic, payload });
      } catch (error) {
        this.pending.delete(id);
        reject(lostError('publish', undefined));
        void error;
      }
    });
  }

  private async read(stream: PushStream): Promise<void> {
    try {
      for await (const frame of serverFrames(stream)) {
        const id = 'id' in frame ? frame.id : undefined;
        const waiting = id === undefined ? undefined : this.pending.get(id);
        if (!waiting || id === undefined) continue;
        this.pending.delete(id);
        if (frame.type === 'published') waiting.resolve(frame.event);
        else waiting.reject(errorOfFrame(frame));
      }
      this.fail(lostError('publish', undefined));
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    this.broken = true;
    void error;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(lostError('publish', undefined));
    }
  }
}
