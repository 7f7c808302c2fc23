import { flowEndpoints, parseFlowPacket } from './packet.js';

/**
 * A one-shot deterministic drop for head-of-line experiments, armed at run
 * time over the control channel. After arming, it watches the server→client
 * packets of `proto` from `serverPort` — across every flow, so six HTTP/1.1
 * connections and one HTTP/2 connection see the same single loss — and drops
 * one that carries at least `minPayloadBytes` of transport payload: either
 * the `k`-th such packet, or (`afterBytes`) the first one that reaches past
 * that many payload bytes since arming. The rule then disarms itself:
 * exactly one packet per arming.
 *
 * `afterBytes` places the loss at the same point of the response stream
 * whatever the packetization: QUIC stacks may send fewer, larger datagrams
 * (IP-fragmented ones included) than TCP sends segments, so "the k-th
 * packet" would land at different places per transport. `minPayloadBytes`
 * aims at data packets: ACK-only datagrams and small TLS records would cost
 * nothing to lose.
 */
export interface DropRule {
  readonly proto: 'tcp' | 'udp';
  readonly serverPort: number;
  /** Exactly one of `k` and `afterBytes`. */
  readonly k?: number;
  readonly afterBytes?: number;
  readonly minPayloadBytes: number;
}

/** What the emulator dropped for one arming: which packet, when, how big, on which 5-tuple. */
export interface DropRecord {
  readonly armId: number;
  readonly rule: DropRule;
  /** Milliseconds from arming to the drop (emulator's monotonic clock). */
  readonly afterArmMs: number;
  /** Date.now() at the drop, for lining up with other logs. */
  readonly at: number;
  /** IP packet size, and its TCP/UDP payload (a UDP datagram's whole payload, even when IP fragmented it). */
  readonly ipBytes: number;
  readonly payloadBytes: number;
  /** Payload bytes of matching packets seen since arming before this one. */
  readonly offsetBytes: number;
  /** Which matching packet it was (1-based). */
  readonly ordinal: number;
  /** The first fragment of an IP-fragmented datagram (losing it loses the whole datagram). */
  readonly fragmented: boolean;
  readonly proto: 'tcp' | 'udp';
  /** `addr:port` of the sender (the server) and the receiver (the client). */
  readonly src: string;
  readonly dst: string;
}

const PROTO_NUMBER = { tcp: 6, udp: 17 } as const;
/** Records kept (the most recent); a run arms a few hundred times at most. */
const MAX_RECORDS = 1000;

/** Validates a rule that arrived as JSON; the message says what was expected and what came. */
export function checkDropRule(value: unknown): DropRule {
  const r = (value ?? {}) as Partial<Record<keyof DropRule, unknown>>;
  const int = (v: unknown, min: number, max: number): boolean =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  const byK = r.k !== undefined;
  if (
    (r.proto !== 'tcp' && r.proto !== 'udp') ||
    !int(r.serverPort, 1, 65535) ||
    byK === (r.afterBytes !== undefined) ||
    (byK ? !int(r.k, 1, 1_000_000) : !int(r.afterBytes, 0, 2 ** 40)) ||
    !int(r.minPayloadBytes ?? 1, 0, 65535)
  ) {
    throw new TypeError(
      `drop rule: expected {proto: tcp|udp, serverPort: 1..65535, k ≥ 1 or afterBytes ≥ 0, minPayloadBytes ≥ 0}, got ${JSON.stringify(value)}`,
    );
  }
  return {
    proto: r.proto,
    serverPort: r.serverPort as number,
    ...(byK ? { k: r.k as number } : { afterBytes: r.afterBytes as number }),
    minPayloadBytes: (r.minPayloadBytes as number | undefined) ?? 1,
  };
}

/** The armed rule's state machine: idle → armed (counting) → fired (recorded) → idle. */
export class ArmedDropper {
  private armed: { id: number; rule: DropRule; at: number; seen: number; bytes: number } | null = null;
  private nextId = 1;
  private readonly log: DropRecord[] = [];

  constructor(private readonly now: () => number) {}

  /** Arms `rule`, replacing any rule still armed; returns the arming's id. */
  arm(rule: DropRule): number {
    const id = this.nextId++;
    this.armed = { id, rule, at: this.now(), seen: 0, bytes: 0 };
    return id;
  }

  /** Disarms; returns whether a rule was still waiting for its packet. */
  disarm(): boolean {
    const was = this.armed !== null;
    this.armed = null;
    return was;
  }

  get isArmed(): boolean {
    return this.armed !== null;
  }

  /** True when this server→client packet is the one to drop (and records it). */
  shouldDrop(packet: Buffer): boolean {
    const a = this.armed;
    if (!a) return false;
    const f = parseFlowPacket(packet);
    if (!f || f.proto !== PROTO_NUMBER[a.rule.proto] || f.srcPort !== a.rule.serverPort) return false;
    if (f.payloadBytes === 0) return false;
    const offsetBytes = a.bytes;
    a.bytes += f.payloadBytes;
    if (f.payloadBytes < a.rule.minPayloadBytes) return false;
    a.seen++;
    const due = a.rule.k !== undefined ? a.seen >= a.rule.k : a.bytes > (a.rule.afterBytes ?? 0);
    if (!due) return false;
    const ends = flowEndpoints(packet) ?? { src: '?', dst: '?' };
    this.log.push({
      armId: a.id,
      rule: a.rule,
      afterArmMs: Math.round((this.now() - a.at) * 1000) / 1000,
      at: Date.now(),
      ipBytes: packet.length,
      payloadBytes: f.payloadBytes,
      offsetBytes,
      ordinal: a.seen,
      fragmented: f.fragmented,
      proto: a.rule.proto,
      ...ends,
    });
    if (this.log.length > MAX_RECORDS) this.log.splice(0, this.log.length - MAX_RECORDS);
    this.armed = null;
    return true;
  }

  /** Every drop recorded so far (the most recent MAX_RECORDS), optionally only those after arming `sinceArmId`. */
  records(sinceArmId = 0): DropRecord[] {
    return this.log.filter((r) => r.armId >= sinceArmId);
  }
}
