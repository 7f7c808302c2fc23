import type { TLSSocket } from 'node:tls';

/** What a client knows about TLS resumption: the newest session it could offer, and how its handshakes went. */
export interface TlsResumptionState {
  /** The newest TLS session (TLS 1.3: from the server's NewSessionTicket) a later client may offer. */
  readonly session: Buffer | undefined;
  /** Handshakes of this client that resumed the offered session (abbreviated: no certificate sent). */
  readonly resumed: number;
  /** Handshakes that were full (no session offered, or the server declined it). */
  readonly full: number;
  /**
   * Handshakes that offered the session but whose outcome the client's
   * stack does not report (QUIC: @currentspace/http3 has no "resumed"
   * flag). A caller decides them with the source's `audit`.
   */
  readonly unreported?: number;
}

/** Whether a server resumes a session, decided on extra connections beside the timed ones. */
export interface ResumptionAudit {
  readonly resumed: boolean;
  /** What the decision rests on, for results.json (e.g. the handshake bytes compared). */
  readonly evidence: string;
  /** Why there is no 0-RTT figure, when the stack cannot send early data. */
  readonly zeroRtt?: string;
}

/**
 * What a client's transport knows about session resumption. `audit` is
 * there only where the stack cannot report each handshake's outcome: it
 * opens connections of its own (never timed) offering `session`.
 */
export interface TlsResumptionSource {
  state(): TlsResumptionState;
  audit?(session: Buffer): Promise<ResumptionAudit>;
}

/**
 * Watches a client's TLS sockets: keeps the newest session the server
 * issued and counts resumed vs full handshakes (node:tls `isSessionReused`).
 * Shared by the clients that build their own TLS sockets, so each only
 * passes `session` to tls.connect and hands new sockets to `watch`.
 */
export class TlsSessionTracker {
  private session: Buffer | undefined;
  private resumed = 0;
  private full = 0;

  constructor(offered?: Buffer) {
    this.session = offered;
  }

  /** The session to offer on a new connection (the one given, or one this client received since). */
  get offer(): Buffer | undefined {
    return this.session;
  }

  watch(socket: TLSSocket): void {
    // TLS 1.3 tickets arrive after the handshake, possibly several: keep the newest.
    socket.on('session', (session: Buffer) => {
      this.session = session;
    });
    socket.once('secureConnect', () => {
      if (socket.isSessionReused()) this.resumed++;
      else this.full++;
    });
  }

  /** A socket whose handshake is already done (e.g. handed over by node:http2's `connect` event). */
  adopt(socket: TLSSocket): void {
    socket.on('session', (session: Buffer) => {
      this.session = session;
    });
    if (socket.isSessionReused()) this.resumed++;
    else this.full++;
  }

  state(): TlsResumptionState {
    return { session: this.session, resumed: this.resumed, full: this.full };
  }
}
