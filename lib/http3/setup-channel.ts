import { type Channel, channel } from 'node:diagnostics_channel';

/**
 * When one HTTP/3 connection's phases happened (process.hrtime.bigint()
 * nanoseconds), as `connectHttp3` saw them:
 * - `callNs`: connect() was called;
 * - `handshakeStartNs`: the package reported its runtime ready — it has built
 *   the connection's native worker (thread, UDP socket, io_uring or poll
 *   loop, BoringSSL context) and handed the first Initial to it;
 * - `readyNs`: the QUIC + TLS handshake completed.
 *
 * Why: @currentspace/http3 builds that worker per connection, synchronously
 * on the caller's thread — 8–20 ms of local CPU on these 2-core machines
 * (measured around the native constructor) before the first packet leaves.
 * That is this library's cost, not HTTP/3's, so the bench reports it apart
 * (`connectPhasesMs.setup`) and keeps it out of cold TTFB, as DNS is kept
 * out; the handshake itself is `connectPhasesMs.quic`.
 */
export interface Http3ConnectPhases {
  readonly authority: string;
  readonly callNs: bigint;
  readonly handshakeStartNs: bigint;
  readonly readyNs: bigint;
}

/**
 * A diagnostics channel (node:diagnostics_channel), published once per
 * completed HTTP/3 handshake. Any client built on lib/http3 reports through
 * it, so the bench observes connection phases without knowing which
 * protocol adapter opened the connection; with no subscriber, publishing
 * costs nothing.
 */
export const HTTP3_CONNECT_CHANNEL: Channel = channel('wirebench:http3:connect');

/** Collects the phases of every HTTP/3 connection completed until `stop()`. */
export function watchHttp3Connects(): { readonly phases: Http3ConnectPhases[]; stop(): void } {
  const phases: Http3ConnectPhases[] = [];
  const onMessage = (message: unknown): void => {
    phases.push(message as Http3ConnectPhases);
  };
  HTTP3_CONNECT_CHANNEL.subscribe(onMessage);
  return { phases, stop: () => HTTP3_CONNECT_CHANNEL.unsubscribe(onMessage) };
}
