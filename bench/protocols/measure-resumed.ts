import type { ClientOptions, ProtocolClient } from '../../clients/types.js';
import { watchHttp3Connects } from '../../lib/http3/setup-channel.js';
import { type EncodingId, isTlsTransport, type TransportId } from '../../protocols/types.js';
import { type FeedCore, Random } from '../../services/core/index.js';
import type { Resumption } from '../results/resumption-schema.js';
import type { Scenario } from '../scenarios/types.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import { BodyMeter } from '../wire/body-size.js';

export interface ResumedOptions {
  readonly transport: TransportId;
  readonly protocol: string;
  readonly encoding: EncodingId;
  readonly oracle: FeedCore;
  readonly seed: number;
  readonly samples: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** How long to wait for the server's session ticket after the first response (TLS 1.3 sends it after the handshake). */
const TICKET_WAIT_MS = 500;

/**
 * Resumed TTFB: a first fresh client completes one operation (a full
 * handshake) and hands over the TLS session the server issued; each sample
 * is then another fresh client offering that session, timed like cold TTFB
 * (connection start to first response byte, HTTP/3's local library setup
 * left out as there). Only samples whose handshake
 * the client reports as resumed count; a server that declines is reported,
 * never mixed in. Clients whose stack takes no session (no
 * `tlsResumption`) and cleartext transports are recorded with the reason.
 *
 * A stack that cannot report each handshake's outcome (QUIC with
 * @currentspace/http3: no "resumed" flag) leaves its handshakes
 * `unreported`; its client's `auditResumption` then decides on untimed
 * connections of its own (quiche's qlog, ~10–20 ms each, too costly on a
 * timed one), once before and once after the samples. Both must resume
 * for the samples to count: the server's ticket key is fixed for its
 * lifetime and a 1-RTT resumption keeps no replay state, so the same
 * ticket to the same server gets the same answer in between.
 */
export async function measureResumed(
  makeClient: (extra: Partial<ClientOptions>) => ProtocolClient,
  scenario: Scenario,
  options: ResumedOptions,
): Promise<{ resumption: Resumption; ttfb?: LatencyHistogram }> {
  if (!isTlsTransport(options.transport)) {
    return {
      resumption: { state: 'not-applicable', reason: `${options.transport} is cleartext: no TLS session` },
    };
  }
  const run = async (client: ProtocolClient, i: number): Promise<bigint | undefined> => {
    const op = scenario.operation({
      client,
      oracle: options.oracle,
      random: new Random(options.seed + i),
      encoding: options.encoding,
      bodies: new BodyMeter(),
    });
    const watch = watchHttp3Connects();
    const t0 = process.hrtime.bigint();
    const result = await op(AbortSignal.timeout(options.timeoutMs)).finally(() => watch.stop());
    const outcome = await result.settle();
    if (outcome.kind !== 'ok') throw new Error(`resumed call: ${outcome.kind}: ${outcome.reason}`);
    // As cold TTFB: HTTP/3's local library setup before the first packet is not TTFB (lib/http3/setup-channel.ts).
    let setupNs = 0n;
    for (const phase of watch.phases) setupNs += phase.handshakeStartNs - phase.callNs;
    return result.firstByteNs === undefined ? undefined : result.firstByteNs - t0 - setupNs;
  };

  // 1. A first client: full handshake, then the session the server issued.
  const first = makeClient({});
  let session: Buffer | undefined;
  try {
    if (!first.tlsResumption) {
      return {
        resumption: {
          state: 'unsupported',
          reason: `the ${options.protocol} client over ${options.transport} takes no TLS session (its stack does not expose one to the bench)`,
        },
      };
    }
    await run(first, 0);
    const deadline = Date.now() + TICKET_WAIT_MS;
    while (!first.tlsResumption().session && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    session = first.tlsResumption().session;
  } finally {
    await first.close().catch(() => {});
  }
  if (!session) {
    return {
      resumption: {
        state: 'not-resumed',
        reason: 'the server issued no session ticket',
        samples: 0,
        resumed: 0,
      },
    };
  }

  // 2. A stack that cannot report outcomes: audit before the samples.
  const auditor = makeClient({});
  const audit = auditor.auditResumption?.bind(auditor);
  try {
    const before = audit ? await audit(session) : undefined;

    // 3. Fresh clients offering that session: only resumed handshakes are timed.
    const ttfb = new LatencyHistogram();
    const unreported: bigint[] = [];
    let samples = 0;
    for (let i = 1; i <= options.samples && !options.signal.aborted; i++) {
      const client = makeClient({ tlsSession: session });
      try {
        const ns = await run(client, i);
        samples++;
        const state = client.tlsResumption?.();
        if (state && state.full === 0 && ns !== undefined) {
          if (state.resumed > 0) ttfb.recordNs(ns);
          else if ((state.unreported ?? 0) > 0) unreported.push(ns);
        }
      } finally {
        await client.close().catch(() => {});
      }
    }

    // 4. …and after them: unreported samples count only if both audits resumed.
    let evidence: string | undefined;
    let zeroRtt: string | undefined;
    if (audit && before && unreported.length > 0) {
      const after = await audit(session);
      zeroRtt = after.zeroRtt;
      if (!before.resumed || !after.resumed) {
        const declined = before.resumed ? after : before;
        return {
          resumption: {
            state: 'not-resumed',
            reason: `the server declined the offered session (audit ${before.resumed ? 'after' : 'before'} the samples: ${declined.evidence})`,
            samples,
            resumed: 0,
            ...(zeroRtt ? { zeroRtt } : {}),
          },
        };
      }
      for (const ns of unreported) ttfb.recordNs(ns);
      evidence = `audited before and after the samples: ${after.evidence}`;
    }
    if (ttfb.count === 0) {
      return {
        resumption: {
          state: 'not-resumed',
          reason: `the server declined the offered session in all ${samples} attempts`,
          samples,
          resumed: 0,
        },
      };
    }
    return {
      resumption: {
        state: 'resumed',
        samples,
        resumed: ttfb.count,
        ...(evidence ? { evidence } : {}),
        ...(zeroRtt ? { zeroRtt } : {}),
      },
      ttfb,
    };
  } finally {
    await auditor.close().catch(() => {});
  }
}
