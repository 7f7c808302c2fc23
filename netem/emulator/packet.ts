/**
 * Just enough IP parsing to recognise a flow's data packets for the
 * deterministic drop: IPv4 (first fragments only) and IPv6 without
 * extension headers. Everything else is relayed untouched.
 */
export interface FlowPacket {
  /** 6 = TCP, 17 = UDP. */
  readonly proto: number;
  readonly srcPort: number;
  readonly dstPort: number;
  /** A key unique per 5-tuple (addresses, ports, protocol). */
  readonly flowKey: string;
  /** TCP payload bytes, or the UDP datagram's payload (its length field: whole even when IP fragmented it). */
  readonly payloadBytes: number;
  /** IPv4 "more fragments" set: this is the first fragment of a larger datagram. */
  readonly fragmented: boolean;
}

const TCP = 6;
const UDP = 17;

/** Parses the transport header of an IP packet, or returns null for anything it does not handle. */
export function parseFlowPacket(p: Buffer): FlowPacket | null {
  const version = (p[0] ?? 0) >> 4;
  let proto: number;
  let l4: number;
  let end: number;
  let addrs: string;
  let fragmented = false;
  if (version === 4 && p.length >= 20) {
    const ihl = ((p[0] ?? 0) & 0x0f) * 4;
    const fragOffset = p.readUInt16BE(6) & 0x1fff;
    if (fragOffset !== 0) return null;
    fragmented = (p.readUInt16BE(6) & 0x2000) !== 0;
    proto = p[9] ?? 0;
    l4 = ihl;
    end = Math.min(p.length, p.readUInt16BE(2));
    addrs = p.toString('hex', 12, 20);
  } else if (version === 6 && p.length >= 40) {
    proto = p[6] ?? 0;
    l4 = 40;
    end = Math.min(p.length, 40 + p.readUInt16BE(4));
    addrs = p.toString('hex', 8, 40);
  } else {
    return null;
  }
  if (proto === TCP && end >= l4 + 20) {
    const doff = ((p[l4 + 12] ?? 0) >> 4) * 4;
    return flow(proto, p, l4, addrs, Math.max(0, end - l4 - doff), fragmented);
  }
  if (proto === UDP && end >= l4 + 8) {
    return flow(proto, p, l4, addrs, Math.max(0, p.readUInt16BE(l4 + 4) - 8), fragmented);
  }
  return null;
}

function flow(
  proto: number,
  p: Buffer,
  l4: number,
  addrs: string,
  payloadBytes: number,
  fragmented: boolean,
): FlowPacket {
  const srcPort = p.readUInt16BE(l4);
  const dstPort = p.readUInt16BE(l4 + 2);
  return {
    proto,
    srcPort,
    dstPort,
    flowKey: `${proto}/${addrs}/${srcPort}/${dstPort}`,
    payloadBytes,
    fragmented,
  };
}

/** Addresses and ports of an IP packet as `addr:port` text (IPv6 as `[addr]:port`), for drop records. */
export function flowEndpoints(p: Buffer): { src: string; dst: string } | null {
  const f = parseFlowPacket(p);
  if (!f) return null;
  const v4 = (p[0] ?? 0) >> 4 === 4;
  const addr = (start: number): string => {
    if (v4) return [...p.subarray(start, start + 4)].join('.');
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(p.readUInt16BE(start + i).toString(16));
    return `[${groups.join(':')}]`;
  };
  return {
    src: `${addr(v4 ? 12 : 8)}:${f.srcPort}`,
    dst: `${addr(v4 ? 16 : 24)}:${f.dstPort}`,
  };
}

/**
 * Counts data packets per flow from one server port and says which one to
 * drop: the k-th of each flow (TCP payload > 0, or any UDP datagram).
 */
export class NthDataPacketDropper {
  private readonly seen = new Map<string, number>();
  private readonly proto: number;

  constructor(
    proto: 'tcp' | 'udp',
    private readonly serverPort: number,
    private readonly k: number,
  ) {
    this.proto = proto === 'tcp' ? TCP : UDP;
  }

  /** True when this server→client packet is the one to drop. */
  shouldDrop(packet: Buffer): boolean {
    const f = parseFlowPacket(packet);
    if (!f || f.proto !== this.proto || f.srcPort !== this.serverPort) return false;
    if (f.proto === TCP && f.payloadBytes === 0) return false;
    const n = (this.seen.get(f.flowKey) ?? 0) + 1;
    this.seen.set(f.flowKey, n);
    return n === this.k;
  }
}
