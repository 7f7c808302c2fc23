import { readFile, writeFile } from 'node:fs/promises';
import { NAMES } from './names.js';
import { CommandError, must, type Runner } from './run.js';
import { CC_ALLOWED_FILE, writeJson } from './state.js';

const ALLOWED_CC = '/proc/sys/net/ipv4/tcp_allowed_congestion_control';

/**
 * A namespace other than the initial one may only pick a congestion control
 * from the host's `tcp_allowed_congestion_control` (EPERM otherwise; here
 * that list is `reno bbr`). When `cc` is missing, it is appended — the only
 * host-wide change this folder makes — and the previous list is recorded
 * first, so `down` (or the next `up` after a crash) puts it back.
 */
export async function allowCongestionControl(cc: string): Promise<void> {
  const before = (await readFile(ALLOWED_CC, 'utf8')).trim();
  if (before.split(/\s+/).includes(cc)) return;
  await writeJson(CC_ALLOWED_FILE, { before });
  await writeFile(ALLOWED_CC, `${before} ${cc}`);
}

/** Puts back the allowed list recorded by {@link allowCongestionControl}, if any. */
export async function restoreCongestionControl(before: string): Promise<void> {
  await writeFile(ALLOWED_CC, before);
}

/**
 * Creates the client and server namespaces with loopback up, IPv6 off (so
 * router solicitations never cross the emulated link and skew its counts)
 * and the congestion control set explicitly: this kernel defaults to BBR,
 * which turns loss results upside down compared with CUBIC.
 * TCP metrics caching is off, so every connection is independent of the
 * ones before it (trials, cold samples).
 *
 * Returns the congestion control each namespace reports back.
 */
export async function createNamespaces(
  runner: Runner,
  cc: string,
): Promise<{ client: string; server: string }> {
  if (!/^[a-z0-9_]{2,16}$/.test(cc))
    throw new CommandError(`--cc: expected a congestion control name like cubic, got "${cc}"`);
  await allowCongestionControl(cc);
  const result = { client: '', server: '' };
  for (const [side, ns] of [
    ['client', NAMES.clientNetns],
    ['server', NAMES.serverNetns],
  ] as const) {
    await must(runner, 'ip', ['netns', 'add', ns]);
    await must(runner, 'ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    result[side] = await setNetnsSysctls(runner, ns, cc);
  }
  return result;
}

/** Writes the per-namespace sysctls with one shell (no procps needed) and reads the congestion control back. */
async function setNetnsSysctls(runner: Runner, ns: string, cc: string): Promise<string> {
  const script = [
    'for f in /proc/sys/net/ipv6/conf/all/disable_ipv6 /proc/sys/net/ipv6/conf/default/disable_ipv6; do',
    '  [ -w "$f" ] && echo 1 > "$f"',
    'done',
    `echo ${cc} > /proc/sys/net/ipv4/tcp_congestion_control`,
    // Each connection starts from scratch: no ssthresh/RTT remembered from earlier connections to the same
    // peer (the kernel's tcp_metrics cache), so one trial's loss cannot slow the next trial's connections.
    'echo 1 > /proc/sys/net/ipv4/tcp_no_metrics_save',
    'cat /proc/sys/net/ipv4/tcp_congestion_control',
  ].join('\n');
  const r = await runner('ip', ['netns', 'exec', ns, 'sh', '-c', script]);
  const actual = r.stdout.trim();
  if (actual !== cc) {
    const available = await runner('cat', ['/proc/sys/net/ipv4/tcp_available_congestion_control']);
    throw new CommandError(
      `--cc: expected ${cc} in ${ns}, got "${actual || r.stderr.trim()}"; available: ${available.stdout.trim()}`,
    );
  }
  return actual;
}

/** Moves one interface into a namespace and gives it a point-to-point address towards `peer`. */
export async function placeInterface(
  runner: Runner,
  iface: string,
  ns: string,
  addr: string,
  peer: string,
): Promise<void> {
  await must(runner, 'ip', ['link', 'set', 'dev', iface, 'netns', ns]);
  await must(runner, 'ip', ['-n', ns, 'addr', 'add', addr, 'peer', `${peer}/32`, 'dev', iface]);
  await must(runner, 'ip', ['-n', ns, 'link', 'set', 'dev', iface, 'up']);
}

/**
 * A TUN device's kernel queue in packets. The default 500 holds 125 ms of a
 * 4,000 packet/s burst: when the emulator process is descheduled longer than
 * that on a busy 2-core machine, the kernel drops packets before the
 * emulator sees them — loss nobody configured and the emulator cannot count
 * (measured: 8.3% instead of 2% on the uplink with other jobs running). The
 * emulator's own queue model decides every drop that belongs to the link.
 */
const TUN_QUEUE_PACKETS = 10_000;

/** Userspace mode: the emulator's TUN devices become the only link between the namespaces. */
export async function placeTunEnds(runner: Runner): Promise<void> {
  await placeInterface(runner, NAMES.clientIface, NAMES.clientNetns, NAMES.clientAddr, NAMES.serverAddr);
  await placeInterface(runner, NAMES.serverIface, NAMES.serverNetns, NAMES.serverAddr, NAMES.clientAddr);
  for (const [ns, iface] of [
    [NAMES.clientNetns, NAMES.clientIface],
    [NAMES.serverNetns, NAMES.serverIface],
  ] as const) {
    await must(runner, 'ip', [
      '-n',
      ns,
      'link',
      'set',
      'dev',
      iface,
      'txqueuelen',
      String(TUN_QUEUE_PACKETS),
    ]);
  }
}

/**
 * tc mode: a veth pair. Segmentation offloads are switched off where
 * ethtool exists, so netem's loss and rate see wire-sized packets instead
 * of 64 KB GSO super-packets.
 */
export async function createVethPair(runner: Runner): Promise<string[]> {
  const warnings: string[] = [];
  await must(runner, 'ip', [
    'link',
    'add',
    NAMES.clientIface,
    'netns',
    NAMES.clientNetns,
    'type',
    'veth',
    'peer',
    'name',
    NAMES.serverIface,
    'netns',
    NAMES.serverNetns,
  ]);
  for (const [ns, iface, addr] of [
    [NAMES.clientNetns, NAMES.clientIface, NAMES.clientAddr],
    [NAMES.serverNetns, NAMES.serverIface, NAMES.serverAddr],
  ] as const) {
    await must(runner, 'ip', ['-n', ns, 'addr', 'add', `${addr}/30`, 'dev', iface]);
    await must(runner, 'ip', ['-n', ns, 'link', 'set', 'dev', iface, 'up']);
    const r = await runner('ip', [
      'netns',
      'exec',
      ns,
      'ethtool',
      '-K',
      iface,
      'tso',
      'off',
      'gso',
      'off',
      'gro',
      'off',
    ]);
    if (r.code !== 0)
      warnings.push(`ethtool -K ${iface} failed (${r.code}); netem may see GSO super-packets`);
  }
  return warnings;
}
