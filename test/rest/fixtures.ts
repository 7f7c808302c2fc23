import { createClient, type RestClient } from '../../clients/rest/index.js';
import { http3Unavailable } from '../../lib/http3/index.js';
import { type GeneratedTls, generateTls } from '../../lib/tls.js';
import type { TransportId } from '../../protocols/types.js';
import type { StreamFeedRequest } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { type CallContext, DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { type RestServerHandle, startRest } from '../../services/rest/index.js';

/** Every transport the REST adapter serves; the client tests run once per entry. */
export const REST_TRANSPORTS: readonly TransportId[] = ['h1', 'h1s', 'h2c', 'h2', 'h3'];

/** A fixed clock: created posts carry `now`, so server and reference must agree on it. */
export const CORE_OPTIONS = { seed: 1, preset: DATASET_PRESETS.small, nowMs: () => 1_767_225_600_000 };

/** Records how each streamFeed generator ended, to see a client's early stop reach the core. */
export class SpyCore extends FeedCore {
  readonly streamEnds: { topic: string; aborted: boolean }[] = [];
  override async *streamFeed(req: StreamFeedRequest, ctx: CallContext = {}) {
    try {
      yield* super.streamFeed(req, ctx);
    } finally {
      this.streamEnds.push({ topic: req.topic, aborted: ctx.signal?.aborted ?? false });
    }
  }
}

let tls: Promise<GeneratedTls> | undefined;
/** One CA and certificate per test file (hosts localhost, 127.0.0.1, ::1). */
export function runTls(): Promise<GeneratedTls> {
  tls ??= generateTls();
  return tls;
}

let h3Reason: Promise<string | undefined> | undefined;
/**
 * Why `transport` cannot run on this machine, detected now (h3: the
 * package or its native addon fails to load), or undefined when it can.
 */
export async function unavailable(transport: TransportId): Promise<string | undefined> {
  if (transport !== 'h3') return undefined;
  h3Reason ??= runTls().then((t) => http3Unavailable({ certPem: t.certPem, keyPem: t.keyPem }));
  return h3Reason;
}

/** Servers and clients a test file started, closed by `closeAll()` in `test.after.always`. */
export class Pairs {
  private readonly servers: RestServerHandle[] = [];
  private readonly clients: RestClient[] = [];

  /** A REST server on port 0 and a client for it, connected unless `connect` is false. */
  async start(
    core: FeedCore,
    transport: TransportId,
    options: { connections?: number; connect?: boolean; maxBodyBytes?: number } = {},
  ): Promise<{ server: RestServerHandle; client: RestClient }> {
    const material = await runTls();
    const server = await startRest(core, {
      host: '127.0.0.1',
      port: 0,
      transport,
      tls: material,
      ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
    });
    this.servers.push(server);
    const client = createClient({
      url: server.url,
      transport,
      encoding: 'json',
      caPem: material.caPem,
      connections: options.connections ?? 1,
    });
    this.clients.push(client);
    if (options.connect !== false) await client.connect();
    return { server, client };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
    await Promise.all(this.servers.map((s) => s.close()));
  }
}
