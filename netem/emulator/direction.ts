import { type DirectionConfig, type DropNth, effectiveQueueBytes, type LossModel } from '../link-spec.js';
import { ArmedDropper, type DropRecord, type DropRule } from './armed-drop.js';
import { LatenessHistogram } from './histogram.js';
import { createLoss, type LossDecider } from './loss.js';
import { NthDataPacketDropper } from './packet.js';
import { ReleaseHeap } from './release-heap.js';
import { createRng, normalSampler } from './rng.js';

/** Time and timers, injected so tests can drive a direction with a fake clock. */
export interface Clock {
  /** Monotonic milliseconds (performance.now() in the real process). */
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Counters one direction reports about itself with every run. */
export interface DirectionStats {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  dropsRandom: number;
  dropsQueue: number;
  dropsDeterministic: number;
  /** The latest armed one-shot drops (head-of-line experiments): which packet, when, on which 5-tuple. */
  deterministicDrops: DropRecord[];
  /** The loss model in effect now (the control channel may have replaced the configured one). */
  lossNow: LossModel;
  duplicates: number;
  writeErrors: number;
  queueMaxBytes: number;
  latenessMs: { p50: number | null; p99: number | null; max: number | null; count: number };
}

/**
 * Node's timers fire within about ±1 ms of the asked time (libuv keeps
 * millisecond time), so a firing releases every packet due within EARLY_MS,
 * and timers are set early by the tracked median lateness (`bias`): the
 * per-packet error is then centred on zero instead of always late. The
 * emulator reports the resulting lateness distribution with every run.
 */
const EARLY_MS = 1;
/** Drop records in the statistics file (the control channel's `drops` has them all). */
const STATS_DROP_RECORDS = 20;
/** Step of the timer-lateness tracker (see onTimer). */
const BIAS_STEP_MS = 0.02;

/**
 * One direction of the link: loss → byte-limited drop-tail queue drained at
 * `rate` → delay ± jitter (in order unless reordering was asked) → release.
 * One timer per direction; every firing releases all packets then due.
 */
export class Direction {
  private loss: LossDecider;
  private lossModel: LossModel;
  private readonly armed: ArmedDropper;
  private readonly rng: () => number;
  private readonly normal: () => number;
  private readonly dropper: NthDataPacketDropper | null;
  private readonly bitsPerMs: number | null;
  private readonly queueLimit: number;
  /** Serialization finish times and sizes of packets still in the queue. */
  private readonly serializing: { finish: number; bytes: number }[] = [];
  private serializingHead = 0;
  private queuedBytes = 0;
  private lastFinish = 0;
  private lastRelease = 0;
  private seq = 0;
  private readonly heap = new ReleaseHeap();
  private timer: unknown = null;
  private timerDue = Number.POSITIVE_INFINITY;
  /** Estimated median lateness of a timer (ms); timers are set this much early. */
  private bias = 0.3;
  private readonly lateness = new LatenessHistogram();
  private readonly counters = {
    packetsIn: 0,
    packetsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    dropsRandom: 0,
    dropsQueue: 0,
    dropsDeterministic: 0,
    duplicates: 0,
    writeErrors: 0,
    queueMaxBytes: 0,
  };

  constructor(
    private readonly config: DirectionConfig,
    private readonly clock: Clock,
    private readonly write: (packet: Buffer) => void,
    options: { seed: number; stream: number; dropNth?: DropNth | null },
  ) {
    this.rng = createRng(options.seed, options.stream);
    this.loss = createLoss(config.loss, createRng(options.seed, options.stream + 100));
    this.lossModel = config.loss;
    this.armed = new ArmedDropper(() => clock.now());
    this.normal = normalSampler(this.rng);
    this.dropper = options.dropNth
      ? new NthDataPacketDropper(options.dropNth.proto, options.dropNth.serverPort, options.dropNth.k)
      : null;
    this.bitsPerMs = config.rateMbit === null ? null : config.rateMbit * 1000;
    this.queueLimit = effectiveQueueBytes(config) ?? Number.POSITIVE_INFINITY;
  }

  /** Takes one IP packet read from the ingress side. */
  receive(packet: Buffer): void {
    const c = this.counters;
    c.packetsIn++;
    c.bytesIn += packet.length;
    // Step 1: the deterministic drop (head-of-line experiments) comes first: it names an exact packet.
    if (this.dropper?.shouldDrop(packet) || this.armed.shouldDrop(packet)) {
      c.dropsDeterministic++;
      return;
    }
    // Step 2: random or Gilbert-Elliott loss.
    if (this.loss()) {
      c.dropsRandom++;
      return;
    }
    this.enqueue(packet);
    if (this.config.duplicatePct > 0 && this.rng() * 100 < this.config.duplicatePct) {
      c.duplicates++;
      this.enqueue(Buffer.from(packet));
    }
    this.schedule();
  }

  private enqueue(packet: Buffer): void {
    const now = this.clock.now();
    // Step 3: the queue in front of the rate. Packets whose serialization has finished have left it.
    let finish = now;
    if (this.bitsPerMs !== null) {
      const q = this.serializing;
      while (this.serializingHead < q.length && q[this.serializingHead]!.finish <= now) {
        this.queuedBytes -= q[this.serializingHead]!.bytes;
        this.serializingHead++;
      }
      if (this.serializingHead > 1024 && this.serializingHead * 2 > q.length) {
        q.splice(0, this.serializingHead);
        this.serializingHead = 0;
      }
      if (this.queuedBytes + packet.length > this.queueLimit) {
        this.counters.dropsQueue++;
        return;
      }
      finish = Math.max(now, this.lastFinish) + (packet.length * 8) / this.bitsPerMs;
      this.lastFinish = finish;
      q.push({ finish, bytes: packet.length });
      this.queuedBytes += packet.length;
      if (this.queuedBytes > this.counters.queueMaxBytes) this.counters.queueMaxBytes = this.queuedBytes;
    }
    // Step 4: delay ± jitter. Reordered packets skip the delay (tc-netem's `reorder`); the
    // rest keep arrival order, so jitter never overtakes unless asked.
    let due: number;
    if (this.config.reorderPct > 0 && this.rng() * 100 < this.config.reorderPct) {
      due = finish;
    } else {
      due = Math.max(finish + this.delaySample(), this.lastRelease);
      this.lastRelease = due;
    }
    this.heap.push({ due, seq: this.seq++, packet });
  }

  private delaySample(): number {
    const { delayMs, jitterMs, distribution } = this.config;
    if (jitterMs === 0) return delayMs;
    const j = distribution === 'normal' ? this.normal() * jitterMs : (this.rng() * 2 - 1) * jitterMs;
    return Math.max(0, delayMs + j);
  }

  /** Keeps exactly one timer, set for the earliest pending packet. */
  private schedule(): void {
    const head = this.heap.peek();
    if (!head || head.due >= this.timerDue) return;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timerDue = head.due;
    const wait = head.due - this.clock.now();
    if (wait <= EARLY_MS / 2) {
      this.timer = null;
      this.timerDue = Number.POSITIVE_INFINITY;
      this.release();
      return;
    }
    this.timer = this.clock.setTimer(this.onTimer, Math.max(1, Math.round(wait - this.bias)));
  }

  private readonly onTimer = (): void => {
    // Track the timer's median lateness (a sign step per firing) and schedule that much earlier
    // next time: Node's timers are late by a fraction of a millisecond, which would otherwise
    // add to every delay.
    const late = this.clock.now() - this.timerDue;
    this.bias = Math.min(1, Math.max(0, this.bias + (late > 0 ? BIAS_STEP_MS : -BIAS_STEP_MS)));
    this.timer = null;
    this.timerDue = Number.POSITIVE_INFINITY;
    this.release();
  };

  /** Step 5: release, in one batch, every packet due by now (within EARLY_MS). */
  private release(): void {
    const now = this.clock.now();
    const c = this.counters;
    for (let head = this.heap.peek(); head && head.due <= now + EARLY_MS; head = this.heap.peek()) {
      this.heap.pop();
      this.lateness.record(now - head.due);
      try {
        this.write(head.packet);
        c.packetsOut++;
        c.bytesOut += head.packet.length;
      } catch {
        c.writeErrors++;
      }
    }
    this.schedule();
  }

  /**
   * Replaces the loss model from now on, with its own seeded stream (`seed`),
   * so a loss sweep's trial is reproducible whatever ran before it.
   * `null` puts the configured model back.
   */
  setLoss(model: LossModel | null, seed: number): void {
    this.lossModel = model ?? this.config.loss;
    this.loss = createLoss(this.lossModel, createRng(seed, 100));
  }

  /** Arms the one-shot deterministic drop (see ArmedDropper); returns the arming's id. */
  arm(rule: DropRule): number {
    return this.armed.arm(rule);
  }

  /** Disarms; true when the rule had not fired yet. */
  disarm(): boolean {
    return this.armed.disarm();
  }

  /** Drop records from arming `sinceArmId` on. */
  drops(sinceArmId = 0): DropRecord[] {
    return this.armed.records(sinceArmId);
  }

  /** Packets waiting in the delay stage (for tests and shutdown). */
  get pending(): number {
    return this.heap.size;
  }

  stats(): DirectionStats {
    return {
      ...this.counters,
      deterministicDrops: this.armed.records().slice(-STATS_DROP_RECORDS),
      lossNow: this.lossModel,
      latenessMs: this.lateness.summary(),
    };
  }

  /** Drops the timer so the process can exit. */
  stop(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }
}
