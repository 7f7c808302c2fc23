import test from 'ava';
import { Direction } from '../../netem/emulator/direction.js';
import { createLoss } from '../../netem/emulator/loss.js';
import { parseFlowPacket } from '../../netem/emulator/packet.js';
import { createRng, normalSampler } from '../../netem/emulator/rng.js';
import { CLEAN_DIRECTION, type DirectionConfig, type DropNth } from '../../netem/link-spec.js';
import { FakeClock } from './fake-clock.js';
import { ipv4, tagOf } from './packets.js';

interface Out {
  readonly at: number;
  readonly tag: number;
  readonly bytes: number;
}

function rig(config: Partial<DirectionConfig>, options: { seed?: number; dropNth?: DropNth } = {}) {
  const clock = new FakeClock();
  const out: Out[] = [];
  const dir = new Direction(
    { ...CLEAN_DIRECTION, ...config },
    clock,
    (p) => out.push({ at: clock.now(), tag: tagOf(p), bytes: p.length }),
    {
      seed: options.seed ?? 1,
      stream: 0,
      dropNth: options.dropNth ?? null,
    },
  );
  /** Sends `n` packets, one every `gapMs`, then lets every timer run. */
  const send = (n: number, gapMs: number, bytes = 100): void => {
    for (let i = 0; i < n; i++) {
      clock.advanceTo(i * gapMs);
      dir.receive(ipv4(17, 5000, 6000, bytes - 28, i));
    }
    clock.advanceTo(n * gapMs + 60_000);
  };
  return { clock, out, dir, send };
}

/** 99% binomial interval for `n` trials at probability `p`. */
function binomial99(n: number, p: number): [number, number] {
  const sd = Math.sqrt(n * p * (1 - p));
  return [n * p - 2.576 * sd, n * p + 2.576 * sd];
}

test('delay: every packet leaves within ±1 ms (the timer window) of its due time, in order', (t) => {
  const { out, send, dir } = rig({ delayMs: 25 });
  send(200, 3);
  t.is(out.length, 200);
  for (const [i, o] of out.entries()) t.true(Math.abs(o.at - (i * 3 + 25)) <= 1, `packet ${i} at ${o.at}`);
  t.is(dir.stats().latenessMs.count, 200);
});

test('jitter keeps arrival order unless reordering is asked', (t) => {
  const inOrder = rig({ delayMs: 20, jitterMs: 10, distribution: 'normal' });
  inOrder.send(500, 0.5);
  t.deepEqual(
    inOrder.out.map((o) => o.tag),
    [...Array(500).keys()],
  );
  const reordered = rig({ delayMs: 20, reorderPct: 25 });
  reordered.send(500, 0.5);
  t.is(reordered.out.length, 500);
  t.notDeepEqual(
    reordered.out.map((o) => o.tag),
    [...Array(500).keys()],
  );
});

test('random loss stays inside the 99% binomial interval and is the same for the same seed', (t) => {
  const n = 50_000;
  const a = rig({ loss: { kind: 'random', pct: 2 } }, { seed: 42 });
  a.send(n, 0.01);
  const lost = n - a.out.length;
  const [lo, hi] = binomial99(n, 0.02);
  t.true(lost >= lo && lost <= hi, `lost ${lost} of ${n}, expected ${lo.toFixed(0)}..${hi.toFixed(0)}`);
  t.is(a.dir.stats().dropsRandom, lost);
  const b = rig({ loss: { kind: 'random', pct: 2 } }, { seed: 42 });
  b.send(n, 0.01);
  t.deepEqual(
    b.out.map((o) => o.tag),
    a.out.map((o) => o.tag),
  );
  const c = rig({ loss: { kind: 'random', pct: 2 } }, { seed: 43 });
  c.send(n, 0.01);
  t.notDeepEqual(
    c.out.map((o) => o.tag),
    a.out.map((o) => o.tag),
  );
});

test('Gilbert-Elliott loss matches its stationary mean and comes in bursts of mean length 1/r', (t) => {
  const loss = createLoss(
    { kind: 'gilbert-elliott', pPct: 1, rPct: 25, badLossPct: 100, goodLossPct: 0 },
    createRng(9),
  );
  const n = 400_000;
  let lost = 0;
  let bursts = 0;
  let previous = false;
  for (let i = 0; i < n; i++) {
    const l = loss();
    if (l) lost++;
    if (l && !previous) bursts++;
    previous = l;
  }
  const mean = lost / n;
  t.true(Math.abs(mean - 0.01 / 0.26) < 0.004, `mean loss ${mean}`);
  t.true(Math.abs(lost / bursts - 4) < 0.3, `mean burst ${lost / bursts}`);
});

test('rate: packets leave one serialization time apart; a full queue drops at the tail', (t) => {
  // 8 Mbit/s = 1000 bytes per ms; queue 10 KiB holds 10 packets of 1000 bytes.
  const { out, send, dir } = rig({ rateMbit: 8, queueBytes: 10 * 1024 });
  send(100, 0, 1000);
  t.is(out.length, 10);
  t.deepEqual(
    out.map((o) => o.tag),
    [...Array(10).keys()],
  );
  for (const [i, o] of out.entries()) t.true(Math.abs(o.at - (i + 1)) <= 1, `packet ${i} at ${o.at}`);
  t.is(dir.stats().dropsQueue, 90);
  t.is(dir.stats().queueMaxBytes, 10_000);
});

test('rate: a sustained overload leaves at the configured rate', (t) => {
  const { out, send } = rig({ rateMbit: 20, queueBytes: 64 * 1024 });
  send(20_000, 0.3, 1500); // 40 Mbit/s offered
  const span = (out.at(-1)?.at ?? 0) - (out[0]?.at ?? 0);
  const mbit = (out.reduce((s, o) => s + o.bytes, 0) * 8) / span / 1000;
  t.true(mbit > 19.8 && mbit < 20.2, `${mbit} Mbit/s`);
});

test('the k-th server→client data packet of each flow is dropped once; pure ACKs do not count', (t) => {
  const clock = new FakeClock();
  const out: Buffer[] = [];
  const dir = new Direction(CLEAN_DIRECTION, clock, (p) => out.push(p), {
    seed: 1,
    stream: 1,
    dropNth: { proto: 'tcp', serverPort: 8443, k: 3 },
  });
  const flowA = [
    ipv4(6, 8443, 40000, 0, 0),
    ipv4(6, 8443, 40000, 100, 1),
    ipv4(6, 8443, 40000, 100, 2),
    ipv4(6, 8443, 40000, 100, 3),
    ipv4(6, 8443, 40000, 100, 4),
  ];
  const flowB = [ipv4(6, 8443, 40001, 100, 10), ipv4(6, 8443, 40001, 100, 11), ipv4(6, 8443, 40001, 100, 12)];
  const other = [
    ipv4(6, 9000, 40000, 100, 20),
    ipv4(17, 8443, 40000, 100, 21),
    ipv4(17, 8443, 40000, 100, 22),
    ipv4(17, 8443, 40000, 100, 23),
  ];
  for (const p of [...flowA, ...flowB, ...other]) dir.receive(p);
  clock.advanceTo(10);
  const tags = out.filter((p) => (parseFlowPacket(p)?.payloadBytes ?? 0) > 0).map(tagOf);
  t.deepEqual(tags, [1, 2, 4, 10, 11, 20, 21, 22, 23]);
  t.is(dir.stats().dropsDeterministic, 2);
});

test('duplicates are counted and delivered twice', (t) => {
  const { out, send, dir } = rig({ duplicatePct: 10 });
  send(5000, 0.1);
  t.is(out.length, 5000 + dir.stats().duplicates);
  t.true(dir.stats().duplicates > 400 && dir.stats().duplicates < 600);
});

test('the seeded generators are uniform and normal', (t) => {
  const rng = createRng(5);
  const normal = normalSampler(createRng(6));
  let sum = 0;
  let sumN = 0;
  let sumN2 = 0;
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const u = rng();
    t.true(u >= 0 && u < 1);
    sum += u;
    const z = normal();
    sumN += z;
    sumN2 += z * z;
  }
  t.true(Math.abs(sum / n - 0.5) < 0.005);
  t.true(Math.abs(sumN / n) < 0.02);
  t.true(Math.abs(sumN2 / n - 1) < 0.02);
  t.is(createRng(5)(), createRng(5)());
  t.not(createRng(5, 0)(), createRng(5, 1)());
});

test('flow parsing: IPv4 TCP payload length, UDP, and what it leaves alone', (t) => {
  t.like(parseFlowPacket(ipv4(6, 1, 2, 300)), { proto: 6, srcPort: 1, dstPort: 2, payloadBytes: 300 });
  t.like(parseFlowPacket(ipv4(17, 3, 4, 50)), { proto: 17, payloadBytes: 50 });
  t.is(parseFlowPacket(Buffer.from([0x45, 0, 0, 20])), null);
  const fragment = ipv4(17, 3, 4, 50);
  fragment.writeUInt16BE(100, 6);
  t.is(parseFlowPacket(fragment), null);
});

test('an armed drop takes the k-th matching packet across flows, once, and records it', (t) => {
  const clock = new FakeClock();
  const out: Buffer[] = [];
  const dir = new Direction(CLEAN_DIRECTION, clock, (p) => out.push(p), { seed: 1, stream: 1 });
  // Before arming nothing is dropped.
  dir.receive(ipv4(6, 8443, 40000, 1200, 0));
  const armId = dir.arm({ proto: 'tcp', serverPort: 8443, k: 3, minPayloadBytes: 1000 });
  clock.advanceTo(5);
  const packets = [
    ipv4(6, 8443, 40000, 0, 1), // a pure ACK: never counts
    ipv4(6, 8443, 40000, 200, 2), // below minPayloadBytes: does not count
    ipv4(17, 8443, 40000, 1200, 3), // other protocol
    ipv4(6, 9000, 40000, 1200, 4), // other server port
    ipv4(6, 8443, 40000, 1200, 5), // 1st
    ipv4(6, 8443, 40001, 1200, 6), // 2nd, another connection: counting spans flows
    ipv4(6, 8443, 40002, 1300, 7), // 3rd: dropped
    ipv4(6, 8443, 40000, 1200, 8), // after the drop the rule is disarmed
    ipv4(6, 8443, 40001, 1200, 9),
    ipv4(6, 8443, 40002, 1200, 10),
  ];
  for (const p of packets) dir.receive(p);
  clock.advanceTo(10);
  t.deepEqual(
    out.filter((p) => (parseFlowPacket(p)?.payloadBytes ?? 0) > 0).map(tagOf),
    [0, 2, 3, 4, 5, 6, 8, 9, 10],
  );
  const stats = dir.stats();
  t.is(stats.dropsDeterministic, 1);
  t.is(stats.deterministicDrops.length, 1);
  t.like(stats.deterministicDrops[0], {
    armId,
    afterArmMs: 5,
    ipBytes: 20 + 20 + 1300,
    payloadBytes: 1300,
    proto: 'tcp',
    src: '10.87.66.2:8443',
    dst: '10.87.66.1:40002',
  });
  t.false(dir.disarm(), 'the rule disarmed itself when it fired');
});

test('an armed UDP drop counts every datagram from the port; re-arming drops again, disarm cancels', (t) => {
  const clock = new FakeClock();
  const out: Buffer[] = [];
  const dir = new Direction(CLEAN_DIRECTION, clock, (p) => out.push(p), { seed: 1, stream: 1 });
  const rule = { proto: 'udp', serverPort: 4433, k: 2, minPayloadBytes: 1 } as const;
  const first = dir.arm(rule);
  for (let i = 0; i < 4; i++) dir.receive(ipv4(17, 4433, 50000, 1200, i));
  const second = dir.arm(rule);
  for (let i = 4; i < 8; i++) dir.receive(ipv4(17, 4433, 50000, 1200, i));
  dir.arm(rule);
  dir.receive(ipv4(17, 4433, 50000, 1200, 8));
  t.true(dir.disarm(), 'a rule that saw only one packet was still armed');
  for (let i = 9; i < 12; i++) dir.receive(ipv4(17, 4433, 50000, 1200, i));
  clock.advanceTo(1);
  t.deepEqual(out.map(tagOf), [0, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
  t.deepEqual(
    dir.drops().map((d) => d.armId),
    [first, second],
  );
  t.deepEqual(
    dir.drops(second).map((d) => d.armId),
    [second],
  );
});

test('setLoss replaces the loss model with a seeded stream, and null restores the configured one', (t) => {
  const run = (seed: number): number[] => {
    const clock = new FakeClock();
    const tags: number[] = [];
    const dir = new Direction(CLEAN_DIRECTION, clock, (p) => tags.push(tagOf(p)), { seed: 1, stream: 0 });
    dir.setLoss({ kind: 'random', pct: 10 }, seed);
    for (let i = 0; i < 2000; i++) dir.receive(ipv4(17, 1, 2, 100, i));
    t.deepEqual(dir.stats().lossNow, { kind: 'random', pct: 10 });
    dir.setLoss(null, seed);
    for (let i = 2000; i < 2100; i++) dir.receive(ipv4(17, 1, 2, 100, i));
    clock.advanceTo(1);
    t.deepEqual(dir.stats().lossNow, CLEAN_DIRECTION.loss);
    return tags;
  };
  const a = run(3);
  const lost = 2100 - a.length;
  const [lo, hi] = binomial99(2000, 0.1);
  t.true(lost >= lo && lost <= hi, `lost ${lost} of 2000 at 10%`);
  t.true(
    a.slice(-100).every((tag, i) => tag === 2000 + i),
    'nothing lost after the model was restored',
  );
  t.deepEqual(run(3), a, 'same seed, same losses');
  t.notDeepEqual(run(4), a);
});

test('an armed drop by offset takes the first data packet reaching past afterBytes, whatever the packet sizes', (t) => {
  const clock = new FakeClock();
  const out: Buffer[] = [];
  const dir = new Direction(CLEAN_DIRECTION, clock, (p) => out.push(p), { seed: 1, stream: 1 });
  dir.arm({ proto: 'udp', serverPort: 4433, afterBytes: 3000, minPayloadBytes: 1000 });
  const sizes = [1200, 40, 1200, 1200, 1200]; // offsets 0, 1200, 1240, 2440, 3640
  for (const [i, size] of sizes.entries()) dir.receive(ipv4(17, 4433, 50000, size, i));
  clock.advanceTo(1);
  t.deepEqual(out.map(tagOf), [0, 1, 2, 4], 'the packet spanning byte 3000 (offset 2440) is dropped');
  t.like(dir.drops()[0], { offsetBytes: 2440, ordinal: 3, payloadBytes: 1200, fragmented: false });
});

test('a fragmented UDP datagram counts its whole payload (UDP length), and the record says it was fragmented', (t) => {
  const first = ipv4(17, 4433, 50000, 1472);
  first.writeUInt16BE(8 + 5000, 24); // the UDP length of a 5,000-byte datagram
  first.writeUInt16BE(0x2000, 6); // more fragments follow
  t.like(parseFlowPacket(first), { payloadBytes: 5000, fragmented: true });
  const clock = new FakeClock();
  const dir = new Direction(CLEAN_DIRECTION, clock, () => {}, { seed: 1, stream: 1 });
  dir.arm({ proto: 'udp', serverPort: 4433, k: 1, minPayloadBytes: 1000 });
  dir.receive(first);
  t.like(dir.drops()[0], { payloadBytes: 5000, fragmented: true, ipBytes: 20 + 8 + 1472 });
});
