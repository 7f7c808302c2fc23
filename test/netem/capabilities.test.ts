import test from 'ava';
import { type Capabilities, NetemUnavailableError, probeNetem, selectMode } from '../../netem/index.js';
import { linkFromSpec } from '../../netem/link-spec.js';
import type { Runner } from '../../netem/run.js';
import { netemCommands, netemOptions } from '../../netem/tc-netem.js';

/** A fake machine: records every command, answers `tc … netem` as a kernel with or without sch_netem. */
function fakeMachine(hasNetem: boolean): { runner: Runner; calls: string[] } {
  const calls: string[] = [];
  const runner: Runner = async (cmd, args) => {
    calls.push(`${cmd} ${args.join(' ')}`);
    if (cmd === 'tc' && args.includes('netem') && !hasNetem) {
      return { code: 2, stdout: '', stderr: 'Error: Specified qdisc kind is unknown.\n' };
    }
    return { code: 0, stdout: '', stderr: '' };
  };
  return { runner, calls };
}

const rootWithTun = { uid: () => 0, exists: () => true };

test('a kernel with sch_netem selects tc-netem in auto mode', async (t) => {
  const machine = fakeMachine(true);
  const caps = await probeNetem({ ...rootWithTun, runner: machine.runner });
  t.true(caps.netem);
  t.is(selectMode('auto', caps), 'tc-netem');
  t.is(selectMode('userspace', caps), 'userspace');
  // The probe tries netem in a throw-away wb- namespace and removes it.
  t.true(machine.calls.includes('ip netns add wb-probe'));
  t.true(machine.calls.some((c) => c.startsWith('tc -n wb-probe qdisc add dev lo root netem')));
  t.is(machine.calls.at(-1), 'ip netns del wb-probe');
});

test('a kernel without sch_netem selects the userspace emulator, and --mode tc says why not', async (t) => {
  const caps = await probeNetem({ ...rootWithTun, runner: fakeMachine(false).runner });
  t.false(caps.netem);
  t.regex(caps.reasons.join(), /kernel has no sch_netem: Error: Specified qdisc kind is unknown/);
  t.is(selectMode('auto', caps), 'userspace');
  const error = t.throws(() => selectMode('tc', caps), { instanceOf: NetemUnavailableError });
  t.is(error?.code, 'no-netem');
});

test('without root nothing is attempted and the caller learns to stay on loopback', async (t) => {
  const machine = fakeMachine(true);
  const caps = await probeNetem({ uid: () => 1000, exists: () => true, runner: machine.runner });
  t.false(caps.root);
  t.false(machine.calls.some((c) => c.includes('netns add')));
  const error = t.throws(() => selectMode('auto', caps), { instanceOf: NetemUnavailableError });
  t.is(error?.code, 'not-root');
  t.regex(error?.message ?? '', /loopback only/);
});

test('the k-th packet drop needs the emulator; --dev needs tc', (t) => {
  const caps: Capabilities = { root: true, iproute2: true, netem: true, tun: true, reasons: [] };
  t.is(selectMode('auto', caps, { dropNth: true }), 'userspace');
  t.throws(() => selectMode('tc', caps, { dropNth: true }), { message: /needs --mode userspace/ });
  t.is(selectMode('auto', caps, { dev: true }), 'tc-netem');
  t.throws(() => selectMode('auto', { ...caps, netem: false }, { dev: true }), {
    instanceOf: NetemUnavailableError,
  });
  t.throws(() => selectMode('auto', { ...caps, tun: false, netem: false }), {
    message: /userspace emulator/,
  });
});

test('tc-netem commands cover delay with distribution, loss models, rate, reorder and duplicate', (t) => {
  const link = linkFromSpec(
    'delay=25ms,jitter=5ms,distribution=normal,loss=ge:1%:25%:80%,rate=20mbit,up-rate=5mbit,reorder=1%,duplicate=0.5%',
  );
  const [up, down] = netemCommands(link);
  t.deepEqual(up?.slice(0, 9), [
    '-n',
    'wb-client',
    'qdisc',
    'add',
    'dev',
    'wb-cli0',
    'root',
    'netem',
    'limit',
  ]);
  t.is(down?.[1], 'wb-server');
  const opts = netemOptions(link.down).join(' ');
  t.regex(opts, /delay 25ms 5ms distribution normal/);
  t.regex(opts, /loss gemodel 1% 25% 80% 0%/);
  t.regex(opts, /duplicate 0.5% reorder 1% rate 20mbit$/);
  t.regex(netemOptions(link.up).join(' '), /rate 5mbit$/);
  // limit (packets) covers the queue and the delay line: 250 kB + 20 Mbit/s × 40 ms → ≥ 234 packets, floor 1000.
  t.is(netemOptions(link.down)[1], '1000');
  t.deepEqual(netemOptions(linkFromSpec('loss=1%').down), ['limit', '1000', 'loss', 'random', '1%']);
});
