import type { TransportId } from '../../protocols/types.js';
import { diffCounters, readTcpCounters, type TcpCounters } from './tcp-info.js';

/** Bytes a client's own counters report (QUIC: UDP payload), monotonic over the client's life. */
export interface ClientWireCounters {
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

/** The optional method a client may offer where its transport counts its own bytes. */
interface CountingClient {
  wireCounters?(): ClientWireCounters | undefined;
}

/** One reading of whatever counts this cell's wire bytes. */
export type WireSnapshot =
  | { readonly source: 'tcp_info'; readonly connections: readonly TcpCounters[] }
  | { readonly source: 'client'; readonly counters: ClientWireCounters }
  | { readonly source: 'none'; readonly reason: string };

/** Bytes moved between two snapshots, or why there is no figure (never a 0 that means "not counted"). */
export type WireDelta =
  | { readonly bytesSent: number; readonly bytesReceived: number; readonly source: 'tcp_info' | 'client' }
  | { readonly unavailable: string };

/** Transports that do not run over TCP: the kernel's tcp_info never sees their bytes. */
const NOT_TCP: ReadonlySet<TransportId> = new Set(['h3']);

/**
 * Picks the wire-byte source for a client: the kernel's tcp_info (read with
 * `ss`) on TCP transports — the same count for every library — and, where
 * the transport is not TCP (QUIC over UDP), the client's own
 * `wireCounters()` when it has one. A QUIC client without counters gets a
 * `none` snapshot with the reason, so a cell reports null and a note rather
 * than the 0 bytes tcp_info would find.
 */
export async function snapshotWire(
  client: object,
  transport: TransportId,
  port: number,
): Promise<WireSnapshot> {
  if (NOT_TCP.has(transport)) {
    const counting = client as CountingClient;
    const counters = typeof counting.wireCounters === 'function' ? counting.wireCounters() : undefined;
    if (counters) return { source: 'client', counters };
    return {
      source: 'none',
      reason: `wire bytes unavailable: ${transport} runs over UDP, which the kernel's TCP counters do not see, and this client exposes no wireCounters()`,
    };
  }
  const connections = await readTcpCounters(port);
  if (!connections) {
    return {
      source: 'none',
      reason: 'wire bytes unavailable: the kernel TCP counters read with `ss` (iproute2) are missing here',
    };
  }
  return { source: 'tcp_info', connections };
}

/**
 * Bytes between two snapshots. `onlyNew` keeps, for tcp_info, only
 * connections absent from `before` (a cold client's own). Nothing counted
 * (no connection seen, or 0 bytes both ways) is `unavailable` with a reason.
 */
export function wireBetween(before: WireSnapshot, after: WireSnapshot, onlyNew = false): WireDelta {
  if (before.source === 'none') return { unavailable: before.reason };
  if (after.source === 'none') return { unavailable: after.reason };
  let delta: { bytesSent: number; bytesReceived: number };
  if (before.source === 'tcp_info' && after.source === 'tcp_info') {
    const known = new Set(before.connections.map((c) => c.local));
    const own = onlyNew ? after.connections.filter((c) => !known.has(c.local)) : after.connections;
    if (own.length === 0) {
      return {
        unavailable:
          'wire bytes unavailable: no TCP connection of this process to the server was seen by `ss`',
      };
    }
    const { bytesSent, bytesReceived } = diffCounters(onlyNew ? [] : before.connections, own);
    delta = { bytesSent, bytesReceived };
  } else if (before.source === 'client' && after.source === 'client') {
    delta = {
      bytesSent: after.counters.bytesSent - before.counters.bytesSent,
      bytesReceived: after.counters.bytesReceived - before.counters.bytesReceived,
    };
  } else {
    return {
      unavailable: `wire bytes unavailable: the counter source changed (${before.source} → ${after.source})`,
    };
  }
  if (delta.bytesSent <= 0 && delta.bytesReceived <= 0) {
    return {
      unavailable: `wire bytes unavailable: ${before.source} counted nothing during the measured phase`,
    };
  }
  return { ...delta, source: before.source };
}
