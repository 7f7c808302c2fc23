import {
  auditHttp3Resumption,
  HTTP3_ZERO_RTT_UNSUPPORTED,
  type Http3Resumption,
} from '../lib/http3/index.js';
import type { ResumptionAudit, TlsResumptionSource, TlsResumptionState } from './tls-session.js';

/**
 * The h3 clients' resumption source: tickets offered and received come from
 * their lib/http3 connections, but @currentspace/http3 cannot say whether a
 * handshake resumed, so connections that offered a ticket are `unreported`
 * and `audit` decides on two connections of its own (quiche's qlog: does the
 * server's handshake flight still carry a certificate?). Shared by the REST,
 * GraphQL and connect-es (Connect, gRPC-Web, gRPC) clients.
 */
export class Http3SessionSource implements TlsResumptionSource {
  constructor(
    private readonly url: string,
    private readonly caPem: string | undefined,
    private readonly resumption: () => Http3Resumption,
  ) {}

  state(): TlsResumptionState {
    const { ticket, offered, plain } = this.resumption();
    return { session: ticket, resumed: 0, full: plain, unreported: offered };
  }

  async audit(session: Buffer): Promise<ResumptionAudit> {
    const audit = await auditHttp3Resumption(this.url, {
      ...(this.caPem ? { caPem: this.caPem } : {}),
      sessionTicket: session,
    });
    return {
      resumed: audit.resumed,
      evidence: `server handshake flight ${audit.offeredBytes} B with the ticket vs ${audit.fullBytes} B without (quiche qlog; a full one carries the certificate)`,
      zeroRtt: HTTP3_ZERO_RTT_UNSUPPORTED,
    };
  }
}
