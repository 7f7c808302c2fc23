import { type DirectionConfig, effectiveQueueBytes, type LinkConfig } from './link-spec.js';
import { NAMES } from './names.js';
import { must, type Runner } from './run.js';
import { tcRate, tcTime } from './units.js';

/**
 * The `netem` options for one direction, in tc's syntax. `limit` (packets)
 * must hold the rate queue *and* everything in flight in the delay line,
 * or netem drops where no real link would.
 */
export function netemOptions(d: DirectionConfig): string[] {
  const out: string[] = [];
  const queue = effectiveQueueBytes(d);
  const inFlight = d.rateMbit === null ? 0 : (d.rateMbit * 1e6 * (d.delayMs + 3 * d.jitterMs)) / 8 / 1000;
  const limit = Math.max(1000, Math.ceil(((queue ?? 0) + inFlight) / 1500));
  out.push('limit', String(limit));
  if (d.delayMs > 0 || d.jitterMs > 0) {
    out.push('delay', tcTime(d.delayMs));
    if (d.jitterMs > 0) {
      out.push(tcTime(d.jitterMs));
      if (d.distribution === 'normal') out.push('distribution', 'normal');
    }
  }
  const l = d.loss;
  if (l.kind === 'random' && l.pct > 0) out.push('loss', 'random', `${l.pct}%`);
  if (l.kind === 'gilbert-elliott') {
    out.push('loss', 'gemodel', `${l.pPct}%`, `${l.rPct}%`, `${l.badLossPct}%`, `${l.goodLossPct}%`);
  }
  if (d.duplicatePct > 0) out.push('duplicate', `${d.duplicatePct}%`);
  if (d.reorderPct > 0) out.push('reorder', `${d.reorderPct}%`);
  if (d.rateMbit !== null) out.push('rate', tcRate(d.rateMbit));
  return out;
}

/** The two `tc` commands of a namespace link: the client egress shapes up, the server egress shapes down. */
export function netemCommands(link: LinkConfig): string[][] {
  return [
    [
      '-n',
      NAMES.clientNetns,
      'qdisc',
      'add',
      'dev',
      NAMES.clientIface,
      'root',
      'netem',
      ...netemOptions(link.up),
    ],
    [
      '-n',
      NAMES.serverNetns,
      'qdisc',
      'add',
      'dev',
      NAMES.serverIface,
      'root',
      'netem',
      ...netemOptions(link.down),
    ],
  ];
}

/**
 * Commands for `--dev IFACE` (asked explicitly; never implied): netem on the
 * interface's egress for `up`, and on an IFB fed from its ingress for `down`.
 */
export function devCommands(dev: string, link: LinkConfig): { cmd: string; args: string[] }[] {
  return [
    { cmd: 'tc', args: ['qdisc', 'add', 'dev', dev, 'root', 'netem', ...netemOptions(link.up)] },
    { cmd: 'ip', args: ['link', 'add', NAMES.ifbIface, 'type', 'ifb'] },
    { cmd: 'ip', args: ['link', 'set', 'dev', NAMES.ifbIface, 'up'] },
    { cmd: 'tc', args: ['qdisc', 'add', 'dev', dev, 'handle', 'ffff:', 'ingress'] },
    {
      cmd: 'tc',
      args: [
        'filter',
        'add',
        'dev',
        dev,
        'parent',
        'ffff:',
        'matchall',
        'action',
        'mirred',
        'egress',
        'redirect',
        'dev',
        NAMES.ifbIface,
      ],
    },
    { cmd: 'tc', args: ['qdisc', 'add', 'dev', NAMES.ifbIface, 'root', 'netem', ...netemOptions(link.down)] },
  ];
}

/** Applies netem on both ends of the namespace link. */
export async function applyNetem(runner: Runner, link: LinkConfig): Promise<void> {
  for (const args of netemCommands(link)) await must(runner, 'tc', args);
}

/** Applies netem to an existing interface named with `--dev`. */
export async function applyNetemToDev(runner: Runner, dev: string, link: LinkConfig): Promise<void> {
  for (const { cmd, args } of devCommands(dev, link)) await must(runner, cmd, args);
}
