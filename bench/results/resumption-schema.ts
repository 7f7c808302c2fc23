/**
 * Whether a cell's protocol × transport resumed a TLS (or QUIC) session, and
 * why not when it did not — recorded with every TLS cell so "resumed TTFB
 * missing" always has a reason in results.json.
 * - `resumed`: `resumed` of `samples` fresh clients resumed; ttfbResumedMs times those.
 * - `not-resumed`: the stack offered a session but the server issued none or declined it.
 * - `unsupported`: the client's stack takes no session (reason says which).
 * - `not-applicable`: a cleartext transport.
 *
 * Optional (additive): `evidence` where the client could not report each
 * handshake and audit connections decided instead (QUIC: what the
 * handshakes' qlogs showed); `zeroRtt` says why there is no 0-RTT figure
 * on a transport that has 0-RTT in principle (QUIC).
 */
export type Resumption =
  | {
      readonly state: 'resumed';
      readonly samples: number;
      readonly resumed: number;
      readonly evidence?: string;
      readonly zeroRtt?: string;
    }
  | {
      readonly state: 'not-resumed';
      readonly reason: string;
      readonly samples: number;
      readonly resumed: 0;
      readonly zeroRtt?: string;
    }
  | { readonly state: 'unsupported' | 'not-applicable'; readonly reason: string };
