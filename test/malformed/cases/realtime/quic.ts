import { dialQuic } from '../../../../clients/quic/client.js';
import type { RealtimeCases } from '../types.js';
import { PUSH_STREAM_CASES } from './push-streams.js';

/**
 * Raw QUIC (ALPN wirebench-push, no HTTP): the push-streams protocol on
 * QUIC streams, so the same malformed frames close the connection with the
 * same codes as WebTransport (as the QUIC application error code). The bare
 * connection is the QUIC client's own dial, without its push logic on top.
 */
export const QUIC_CASES: RealtimeCases = {
  http: [],
  streams: {
    dial: (url, caPem) => dialQuic({ url, caPem, transport: 'h3', encoding: 'proto' }),
    cases: PUSH_STREAM_CASES,
  },
};
