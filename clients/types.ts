import type {
  DescMessage,
  DescMethodBiDiStreaming,
  DescMethodClientStreaming,
  DescMethodServerStreaming,
  DescMethodUnary,
  MessageInitShape,
  MessageShape,
} from '@bufbuild/protobuf';
import type { EncodingId, ProtocolId, TransportId } from '../protocols/types.js';
import type { ResumptionAudit, TlsResumptionState } from './tls-session.js';

export type { ResumptionAudit, TlsResumptionState };

export interface ClientOptions {
  /** Base URL as printed by the service (`ServerHandle.url`). */
  readonly url: string;
  readonly transport: TransportId;
  readonly encoding: EncodingId;
  /** PEM of the CA to trust for TLS transports; never a global "accept anything". */
  readonly caPem?: string;
  /** Connections the client may open (HTTP/1.1 pools); multiplexed transports use one. */
  readonly connections?: number;
  /**
   * GraphQL only (other clients ignore it): `dataloader` switches per-request batching on or off
   * (unset: the server's default); `get` sends queries as persisted-id GETs, cacheable by HTTP.
   */
  readonly graphql?: { readonly dataloader?: boolean; readonly get?: boolean };
  /**
   * A TLS session from an earlier client of the same server (its `tlsResumption().session`),
   * offered on new TLS connections for an abbreviated handshake. Clients whose stack cannot
   * take one ignore it and leave `tlsResumption` undefined.
   */
  readonly tlsSession?: Buffer;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
  /**
   * Called with `process.hrtime.bigint()` when the first byte of the response
   * arrives (response headers for HTTP). The bench uses it for TTFB; the
   * client only reports the instant, it measures nothing itself.
   */
  readonly onFirstByte?: (hrtimeNs: bigint) => void;
}

/**
 * The one client interface every protocol implements. Methods are the proto
 * service's methods (typed descriptors from schemas/gen), so the bench calls
 * `client.unary(FeedService.method.getPost, { id })` whatever the protocol.
 * A protocol that cannot carry a method kind leaves it undefined and its
 * registry entry says why.
 */
export interface ProtocolClient {
  readonly protocol: ProtocolId;
  readonly transport: TransportId;
  readonly encoding: EncodingId;
  /** Opens the connection(s) — handshakes never count in warm figures. */
  connect(): Promise<void>;
  unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    input: MessageInitShape<I>,
    options?: CallOptions,
  ): Promise<MessageShape<O>>;
  serverStream?<I extends DescMessage, O extends DescMessage>(
    method: DescMethodServerStreaming<I, O>,
    input: MessageInitShape<I>,
    options?: CallOptions,
  ): AsyncIterable<MessageShape<O>>;
  clientStream?<I extends DescMessage, O extends DescMessage>(
    method: DescMethodClientStreaming<I, O>,
    inputs: AsyncIterable<MessageInitShape<I>>,
    options?: CallOptions,
  ): Promise<MessageShape<O>>;
  bidiStream?<I extends DescMessage, O extends DescMessage>(
    method: DescMethodBiDiStreaming<I, O>,
    inputs: AsyncIterable<MessageInitShape<I>>,
    options?: CallOptions,
  ): AsyncIterable<MessageShape<O>>;
  /**
   * TLS transports, where the client's stack takes a session: the newest session it can hand to
   * a later client (`ClientOptions.tlsSession`) and how many of its handshakes resumed one.
   */
  tlsResumption?(): TlsResumptionState;
  /**
   * Only where `tlsResumption()` leaves handshakes `unreported` (h3): whether
   * the server resumes `session`, decided on connections of its own beside
   * the timed ones (never timed themselves).
   */
  auditResumption?(session: Buffer): Promise<ResumptionAudit>;
  /** Closes every connection; pending calls fail with CANCELLED. */
  close(): Promise<void>;
}

export type CreateClient = (options: ClientOptions) => ProtocolClient;
