/**
 * Link impairment for the bench: the public surface of `netem/`.
 *
 * ```ts
 * const caps = await probeNetem();                 // root? sch_netem? TUN?
 * const link = await linkUp({ network: '4g' });    // or 'delay=40ms,loss=1%,rate=20mbit'
 * // run the services with [...link.exec('server'), 'node', …] listening on link.server.addr,
 * // the load generator with [...link.exec('client'), …] targeting link.server.addr
 * results.networks.push({ name: link.config.name, emulation: link.mode,
 *                         configured: link.configured, measured: link.measured });
 * await link.down();
 * ```
 *
 * One link exists at a time (the namespaces have fixed `wb-` names). By
 * default a link belongs to the process that made it: when that process
 * exits or is killed, the emulator (or, in tc mode, a guard process)
 * removes everything.
 */
export {
  type Capabilities,
  NetemUnavailableError,
  type ProbeDeps,
  probeNetem,
  type RequestedMode,
  selectMode,
} from './capabilities.js';
export {
  type ControlCounters,
  type DropRecord,
  type DropRule,
  type EmulatorControl,
  EmulatorControlError,
  openEmulatorControl,
} from './control.js';
export type { EmulatorStats } from './emulator/main.js';
export { type Link, type LinkUpOptions, linkDown, linkStatus, linkUp } from './link.js';
export {
  applyOverrides,
  type DirectionConfig,
  type DropNth,
  type JitterDistribution,
  type LinkConfig,
  type LossModel,
  linkFromSpec,
  meanLossPct,
  parseLinkSpec,
  summarize,
} from './link-spec.js';
export type { Measured, MeasureOptions, RttSummary } from './measure/measure.js';
export { NAMES } from './names.js';
export { PROFILE_NAMES, PROFILES, type Profile, profileLink, resolveNetwork } from './profiles.js';
export type { Endpoint, LinkMode } from './state.js';
export { LinkSpecError } from './units.js';
