import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { type EmulatorControl, EmulatorControlError, openEmulatorControl } from '../../netem/control.js';
import { handleControl, serveControl } from '../../netem/emulator/control.js';
import { Direction } from '../../netem/emulator/direction.js';
import { CLEAN_DIRECTION } from '../../netem/link-spec.js';
import { FakeClock } from './fake-clock.js';
import { ipv4, tagOf } from './packets.js';

/** A link's two directions behind a real control socket in a temp directory (no root, no TUN). */
async function rig() {
  const clock = new FakeClock();
  const delivered: number[] = [];
  const link = {
    up: new Direction(CLEAN_DIRECTION, clock, () => {}, { seed: 1, stream: 0 }),
    down: new Direction(CLEAN_DIRECTION, clock, (p) => delivered.push(tagOf(p)), { seed: 1, stream: 1 }),
  };
  const dir = await mkdtemp(join(tmpdir(), 'wb-control-'));
  const path = join(dir, 'control.sock');
  const server: Server = await serveControl(path, (r) => handleControl(link, r));
  const control: EmulatorControl = await openEmulatorControl(path);
  return {
    clock,
    link,
    delivered,
    control,
    path,
    close: async () => {
      control.close();
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

test('arm over the socket drops exactly one server→client packet and reports it', async (t) => {
  const r = await rig();
  try {
    const armId = await r.control.arm({ proto: 'tcp', serverPort: 443, k: 2, minPayloadBytes: 1 });
    for (let i = 0; i < 4; i++) r.link.down.receive(ipv4(6, 443, 50000 + i, 500, i));
    r.clock.advanceTo(1);
    t.deepEqual(r.delivered, [0, 2, 3]);
    const drops = await r.control.drops(armId);
    t.is(drops.length, 1);
    t.like(drops[0], { armId, payloadBytes: 500, src: '10.87.66.2:443', dst: '10.87.66.1:50001' });
    t.false(await r.control.disarm());
  } finally {
    await r.close();
  }
});

test('loss over the socket changes both directions; null restores the configured model', async (t) => {
  const r = await rig();
  try {
    await r.control.setLoss('ge:1%:25%', 9);
    t.like(r.link.up.stats().lossNow, { kind: 'gilbert-elliott', pPct: 1, rPct: 25 });
    t.like(r.link.down.stats().lossNow, { kind: 'gilbert-elliott', pPct: 1, rPct: 25 });
    await r.control.setLoss('100%', 9);
    for (let i = 0; i < 3; i++) r.link.down.receive(ipv4(17, 443, 50000, 100, i));
    r.link.up.receive(ipv4(17, 50000, 443, 100, 9));
    t.like(await r.control.counters(), { packetsIn: { up: 1, down: 3 }, dropsRandom: { up: 1, down: 3 } });
    await r.control.setLoss(null, 9);
    t.deepEqual(r.link.down.stats().lossNow, CLEAN_DIRECTION.loss);
  } finally {
    await r.close();
  }
});

test('malformed requests get an expected/got error and the channel keeps serving', async (t) => {
  const r = await rig();
  try {
    await t.throwsAsync(r.control.arm({ proto: 'sctp', serverPort: 1, k: 1 } as never), {
      instanceOf: EmulatorControlError,
      message: /expected \{proto: tcp\|udp.*got \{"proto":"sctp"/,
    });
    await t.throwsAsync(r.control.setLoss('lots', 1), { message: /loss: expected/ });
    t.deepEqual(handleControl(r.link, { op: 'explode' }), {
      ok: false,
      error: 'expected op arm|disarm|drops|loss|counters|ping, got "explode"',
    });
    // Still serving after the errors:
    t.true((await r.control.arm({ proto: 'udp', serverPort: 1, k: 1, minPayloadBytes: 0 })) > 0);
  } finally {
    await r.close();
  }
});

test('no emulator listening: a clear error, not a hang', async (t) => {
  await t.throwsAsync(openEmulatorControl(join(tmpdir(), 'wb-no-such-control.sock')), {
    instanceOf: EmulatorControlError,
    message: /expected a userspace emulator listening on .*, got/,
  });
});
