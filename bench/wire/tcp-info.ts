import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Transport-layer payload bytes of one TCP connection, as the kernel counts them (struct tcp_info). */
export interface TcpCounters {
  /** Local address:port — identifies the connection across snapshots. */
  readonly local: string;
  /** tcpi_bytes_sent: payload bytes sent, retransmissions included (what crossed the wire). */
  readonly bytesSent: number;
  /** tcpi_bytes_received: payload bytes received in order. */
  readonly bytesReceived: number;
}

/**
 * Reads the kernel's per-connection byte counters for this process's
 * established TCP connections to `port`, through `ss -tinp` (iproute2).
 *
 * Why the kernel and not the client library: grpc-js, undici and friends do
 * not expose their sockets, and a TLS socket's JavaScript counters are
 * ambiguous about records vs plaintext. tcp_info counts exactly what the
 * contract calls wire bytes — TCP payload including TLS records — for every
 * library alike, and `ss` is the same tool a user would cross-check with.
 * Returns undefined when `ss` is missing or the kernel lacks the counters.
 */
export async function readTcpCounters(port: number, pid = process.pid): Promise<TcpCounters[] | undefined> {
  let stdout: string;
  try {
    ({ stdout } = await run('ss', ['-tinpH', 'state', 'established', `dport = :${port}`], {
      timeout: 10_000,
    }));
  } catch {
    return undefined;
  }
  return parseSsOutput(stdout, pid);
}

/**
 * Parses `ss -tinpH` output: one line with addresses and `users:((…pid=N…))`,
 * followed by an indented line of tcp_info fields. Exported for unit tests.
 */
export function parseSsOutput(stdout: string, pid: number): TcpCounters[] | undefined {
  const lines = stdout.split('\n');
  const out: TcpCounters[] = [];
  let sawCounters = false;
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i] ?? '';
    if (head.trim() === '' || /^\s/.test(head)) continue;
    const info = lines[i + 1] ?? '';
    const columns = head.trim().split(/\s+/);
    // With a state filter ss omits the State column: Recv-Q Send-Q Local Peer Process.
    const local = columns[2] ?? '';
    const sent = /\bbytes_sent:(\d+)/.exec(info);
    const received = /\bbytes_received:(\d+)/.exec(info);
    if (sent || received) sawCounters = true;
    if (!new RegExp(`pid=${pid}\\b`).test(head)) continue;
    out.push({ local, bytesSent: Number(sent?.[1] ?? 0), bytesReceived: Number(received?.[1] ?? 0) });
  }
  if (!sawCounters && out.length > 0) return undefined;
  return out;
}

/** Bytes moved between two snapshots; a connection new in `after` counts from zero. */
export function diffCounters(
  before: readonly TcpCounters[],
  after: readonly TcpCounters[],
): { bytesSent: number; bytesReceived: number; connections: number } {
  const base = new Map(before.map((c) => [c.local, c]));
  let bytesSent = 0;
  let bytesReceived = 0;
  for (const c of after) {
    const b = base.get(c.local);
    bytesSent += c.bytesSent - (b?.bytesSent ?? 0);
    bytesReceived += c.bytesReceived - (b?.bytesReceived ?? 0);
  }
  return { bytesSent, bytesReceived, connections: after.length };
}
