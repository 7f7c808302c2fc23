/**
 * Flow-control windows for WebTransport over HTTP/2 with
 * @fails-components/webtransport 1.6.8, set on both server and client.
 *
 * Why: with the package's default 16 KB windows a stream stalls after the
 * first window — the receiver's credit (WT_MAX_STREAM_DATA) stops arriving
 * while the sender waits for it. Measured here (one bidi stream, 16 KB
 * writes, echo and one-way): 16 KB, 1 MB and 4 MB windows stall at exactly
 * the window size; 8 MB and 16 MB carry 100 MB without a stall. 16 MB is
 * used, and test/webtransport/flow-control.test.ts sends more than 10 MB
 * over one session so a regression shows as a failing test, not as a hung
 * benchmark. The windows are only credit: memory is used only by data
 * actually in flight.
 */
export const WT_FLOW_CONTROL = {
  initialStreamFlowControlWindow: 16 * 1024 * 1024,
  initialSessionFlowControlWindow: 16 * 1024 * 1024,
} as const;

/** The HTTP path WebTransport sessions are opened on (extended CONNECT `:path`). */
export const WT_PATH = '/wt';
