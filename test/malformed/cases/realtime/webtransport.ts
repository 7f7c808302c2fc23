import {
  loadWebTransport,
  pinnedCertificateHash,
  pushStreamOf,
  WT_FLOW_CONTROL,
  WT_PATH,
} from '../../../../lib/webtransport/index.js';
import type { RawSession, RealtimeCases } from '../types.js';
import { PUSH_STREAM_CASES } from './push-streams.js';

/** The package's client session, reduced to what a raw session needs. */
interface WtSession {
  readonly ready: Promise<void>;
  readonly closed: Promise<{ closeCode?: number; reason?: string }>;
  createBidirectionalStream(): Promise<Parameters<typeof pushStreamOf>[0]>;
  close(info: { closeCode: number; reason: string }): void;
}

/**
 * A bare WebTransport session over HTTP/2 (the package's client, pinned to
 * the certificate the run's CA verified), with none of the push client's
 * framing or resume on top: the cases write their own bytes. Hand-written
 * because clients/webtransport keeps its dial private.
 */
async function dialRaw(url: string, caPem: string): Promise<RawSession> {
  const { WebTransport } = await loadWebTransport();
  const hash = await pinnedCertificateHash(url, caPem);
  const wt = new WebTransport(new URL(WT_PATH, url).href, {
    serverCertificateHashes: [{ algorithm: 'sha-256', value: hash }],
    forceReliable: true,
    ...WT_FLOW_CONTROL,
  } as ConstructorParameters<typeof WebTransport>[1]) as unknown as WtSession;
  const closed = wt.closed.then(
    (info) => ({ code: info?.closeCode ?? 0, reason: info?.reason ?? '' }),
    (error: Error) => ({ code: 1006, reason: error.message }),
  );
  await wt.ready;
  return {
    closed,
    openStream: async () => pushStreamOf(await wt.createBidirectionalStream()),
    // The server has usually closed the session already (that is the point); closing again is a no-op.
    close: (closeCode, reason) => {
      try {
        wt.close({ closeCode, reason });
      } catch {}
    },
  };
}

/**
 * WebTransport (push-streams over an HTTP/2 extended CONNECT session on
 * /wt): a malformed frame closes the session with its code; a request
 * that is not a WebTransport CONNECT is refused by the package with 406.
 */
export const WEBTRANSPORT_CASES: RealtimeCases = {
  http: [
    {
      name: 'a plain GET to the session path',
      request: { method: 'GET', path: WT_PATH },
      expect: { status: 406 },
    },
    {
      name: 'a POST elsewhere',
      request: {
        method: 'POST',
        path: '/publish/malformed',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      expect: { status: 406 },
    },
  ],
  streams: { dial: dialRaw, cases: PUSH_STREAM_CASES },
};
