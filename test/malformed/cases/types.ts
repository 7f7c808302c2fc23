import type { CloseInfo, PushStream } from '../../../lib/push-streams/types.js';
import type { TransportId } from '../../../protocols/types.js';

/**
 * The shape of a malformed-input case: a request written as raw bytes and
 * what the server must answer. Cases are data — the driver
 * (../malformed.test.ts) runs every list against every transport its
 * registry entry names, without knowing which protocol it is looking at.
 */

/** A body: one write (with content-length), or a list of chunks written one by one (no content-length). */
export type RawBody = string | Uint8Array | readonly (string | Uint8Array)[];

export interface RawRequest {
  readonly method: string;
  /** Origin-form target: path and query. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RawBody;
}

/**
 * What the answer must be. Every field given is asserted; where a protocol
 * reports errors in the body, the code is read by ../decode.ts from the
 * place that protocol's spec puts it.
 */
export interface Expectation {
  /** HTTP status; a list when the spec allows several and the servers differ (say why in the case). */
  readonly status: number | readonly number[];
  /** gRPC status: the `grpc-status` trailer (or trailers-only header, or gRPC-Web trailer frame). */
  readonly grpcStatus?: number;
  /** Connect error code: the unary JSON error body, or the end-stream frame of a streaming call. */
  readonly connectCode?: string;
  /** The JSON error code of an HTTP/JSON API: `error.code` (REST) or `errors[0].extensions.code` (GraphQL). */
  readonly errorCode?: string;
  /** Top-level fields the JSON body must hold, each equal to the value given (other error shapes, e.g. engine.io's). */
  readonly jsonBody?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface MalformedCase {
  readonly name: string;
  readonly request: RawRequest;
  readonly expect: Expectation;
  /**
   * Where one protocol is served by another implementation on some
   * transports (gRPC: grpc-js on h2c/h2, connect-es on h3) and that one
   * answers differently, its answer there and why. Asserted as precisely as
   * `expect`; the difference is a finding the reports should show, not noise.
   */
  readonly expectOn?: readonly TransportExpectation[];
}

/** The answer on some transports only, with the reason it differs. */
export interface TransportExpectation {
  readonly transports: readonly TransportId[];
  readonly expect: Expectation;
  readonly reason: string;
}

/** The expectation of `c` on `transport`: an `expectOn` entry naming it, else `expect`. */
export function expectationOn(c: MalformedCase, transport: TransportId): Expectation {
  return c.expectOn?.find((e) => e.transports.includes(transport))?.expect ?? c.expect;
}

/** One protocol's cases, plus a well-formed request the same raw sender must get answered after each. */
export interface ProtocolCases {
  /**
   * A correct call written by hand: proves the raw sender speaks the
   * protocol (so the refusals are about the malformation, not the sender),
   * and, sent on the same connection after each case, that the connection
   * survived the malformed request.
   */
  readonly wellFormed: MalformedCase;
  readonly cases: readonly MalformedCase[];
}

/** `maxBodyBytes` every server under test is started with: small, so "oversize" stays cheap. */
export const MAX_BODY_BYTES = 1024;

/** A body just over the limit, and the same size again split across chunks (no content-length to refuse early). */
export const OVERSIZE = 4 * MAX_BODY_BYTES;

/**
 * WebSocket frames written raw after a completed handshake (test/realtime/raw-ws.ts):
 * the server must close that one connection with `closeCode` — or, where the
 * protocol refuses one operation and keeps the connection (a GraphQL query
 * that does not validate), send a text message holding `reply`.
 */
export interface FramesCase {
  readonly name: string;
  /**
   * Frames written first, and the reply awaited before `frames` go out (a
   * protocol's own handshake, e.g. graphql-ws's `connection_init` → `connection_ack`).
   */
  readonly opening?: { readonly frames: () => Buffer; readonly reply: Readonly<Record<string, string>> };
  /** Built per run: masked frames carry a fresh random key. */
  readonly frames: () => Buffer;
  readonly expect:
    | { readonly closeCode: number }
    | {
        /** Fields one JSON text message from the server must hold, by dotted path (`payload.0.extensions.code`). */
        readonly reply: Readonly<Record<string, string>>;
      };
}

/**
 * Where a protocol's frame cases connect when it is not the WebSocket
 * service (`/ws`, its JSON subprotocol), and which client checks afterwards.
 */
export interface FramesTarget {
  readonly path: string;
  readonly subprotocol: string;
  /** Transports with the HTTP/1.1 Upgrade this WebSocket needs; elsewhere the frame cases do not apply. */
  readonly transports: readonly TransportId[];
  /**
   * The registry variant whose client checks, after each case, that a new
   * connection still serves (the carrier the frames went over); default: the entry's default client.
   */
  readonly variant?: string;
}

/**
 * Bytes written on a fresh stream of a push-streams session (WebTransport,
 * raw QUIC: lib/push-streams): the server must close the session with `closeCode`.
 */
export interface StreamCase {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly expect: { readonly closeCode: number };
}

/** A bare push-streams session: streams to write on, and how it ended. */
export interface RawSession {
  openStream(): Promise<PushStream>;
  readonly closed: Promise<CloseInfo>;
  close(code: number, reason: string): Promise<void> | void;
}

/** Stream cases plus how to open a raw session: the protocol's own dial, no client logic on top. */
export interface StreamCases {
  readonly dial: (url: string, caPem: string) => Promise<RawSession>;
  readonly cases: readonly StreamCase[];
}

/** One push protocol's cases: raw HTTP requests, raw WebSocket frames, raw push-stream bytes, as it has them. */
export interface RealtimeCases {
  readonly http: readonly MalformedCase[];
  readonly frames?: readonly FramesCase[];
  /** Where `frames` go; default the WebSocket service's `/ws` with its JSON subprotocol. */
  readonly framesOn?: FramesTarget;
  readonly streams?: StreamCases;
}
