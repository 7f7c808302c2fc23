import { findRealtime, realtimeUnsupportedReason } from '../../protocols/realtime-registry.js';
import { findProtocol, unsupportedReason } from '../../protocols/registry.js';
import type { EncodingId, ProtocolId, TransportId } from '../../protocols/types.js';
import { findScenario } from '../scenarios/catalog.js';
import {
  type AnyScenario,
  type HolScenario,
  isHolScenario,
  isPushScenario,
  type PushScenario,
} from '../scenarios/types.js';

/** One cell to run, or to record as skipped with its reason. */
export type CellPlan =
  | {
      readonly kind: 'run';
      readonly scenario: AnyScenario;
      readonly protocol: ProtocolId;
      readonly transport: TransportId;
      readonly network: string;
      readonly encoding: EncodingId;
      /** The registry's client variant, when the protocol has several. */
      readonly variant?: string;
    }
  | {
      readonly kind: 'skip';
      readonly scenario: string;
      readonly protocol: string;
      readonly transport: string;
      readonly network: string;
      readonly encoding: string;
      /** The client variant that cannot run here, when the others of its protocol can. */
      readonly variant?: string;
      readonly reason: string;
    };

export interface MatrixRequest {
  readonly scenarios: readonly string[];
  /** Scenarios for networks other than loopback. */
  readonly emulatedScenarios?: readonly string[];
  readonly protocols: readonly ProtocolId[];
  /** Undefined: the protocol's transports per `transportChoice`. */
  readonly transports: readonly TransportId[] | undefined;
  /** Without explicit transports: `default` = each protocol's first transport, `all` = every one. */
  readonly transportChoice: 'default' | 'all';
  readonly networks: readonly string[];
  /** Emulated networks the hol scenario runs on (the profile's choice); undefined: every one. */
  readonly holNetworks?: readonly string[] | undefined;
}

/**
 * Expands scenario × protocol × transport × network into cells, reading
 * capabilities from the registry alone. Everything requested appears in the
 * result: what cannot run here is a `skip` with the registry's reason, so a
 * report never silently drops a protocol.
 */
export function planMatrix(request: MatrixRequest): CellPlan[] {
  const cells: CellPlan[] = [];
  for (const scenarioName of request.scenarios) {
    const scenario = findScenario(scenarioName);
    if (!scenario) throw new Error(`plan: expected a known scenario, got "${scenarioName}"`);
    for (const network of request.networks) {
      if (
        network !== 'loopback' &&
        request.emulatedScenarios &&
        !request.emulatedScenarios.includes(scenarioName)
      )
        continue;
      if (isPushScenario(scenario)) {
        cells.push(...planPush(scenario, network, request));
        continue;
      }
      if (isHolScenario(scenario)) {
        cells.push(...planHol(scenario, network, request));
        continue;
      }
      for (const protocol of request.protocols) {
        const entry = findProtocol(protocol);
        const base = { scenario: scenarioName, protocol, network };
        if (!entry) {
          const reason = findRealtime(protocol)
            ? `${protocol}: a push protocol; it runs the push scenarios (fanout)`
            : `${protocol}: no adapter in this version`;
          for (const transport of request.transports ?? ['-']) {
            cells.push({ kind: 'skip', ...base, transport, encoding: '-', reason });
          }
          continue;
        }
        const encoding = entry.encodings[0] ?? 'json';
        const own = request.transportChoice === 'all' ? entry.transports : entry.transports.slice(0, 1);
        for (const transport of request.transports ?? own) {
          const reason = unsupportedReason(entry, transport, scenario.methodKind);
          if (reason) cells.push({ kind: 'skip', ...base, transport, encoding, reason });
          else {
            const variants = (entry.variants ?? []).filter(
              (v, i) => i === 0 || v.scenarios?.includes(scenarioName),
            );
            if (variants.length === 0)
              cells.push({ kind: 'run', scenario, protocol, transport, network, encoding });
            for (const v of variants) {
              cells.push({ kind: 'run', scenario, protocol, transport, network, encoding, variant: v.name });
            }
          }
        }
      }
    }
  }
  return cells;
}

/**
 * Push cells: every realtime protocol × transport × encoding × client
 * variant (encodings are what push protocols differ in most — WebSocket text
 * vs binary frames; variants are Socket.IO's two transports, GraphQL's two
 * carriers), and a skip with the reason for every requested protocol
 * without a push adapter and every variant a transport cannot carry.
 */
function planPush(scenario: PushScenario, network: string, request: MatrixRequest): CellPlan[] {
  const cells: CellPlan[] = [];
  for (const protocol of request.protocols) {
    const entry = findRealtime(protocol);
    const base = { scenario: scenario.name, protocol, network };
    if (!entry) {
      const reason = findProtocol(protocol)
        ? `${protocol}: request/response adapter only; its push surface has no realtime client yet`
        : `${protocol}: no adapter in this version`;
      for (const transport of request.transports ?? ['-']) {
        cells.push({ kind: 'skip', ...base, transport, encoding: '-', reason });
      }
      continue;
    }
    if (scenario.peak && network !== 'loopback') {
      const reason = `${scenario.name}: runs on loopback only (a 10,000-client fleet measures the stacks, not the link)`;
      cells.push({ kind: 'skip', ...base, transport: entry.transports[0] ?? '-', encoding: '-', reason });
      continue;
    }
    // A peak fanout runs once per protocol: its default transport, encoding and variant (the first of each).
    const own =
      request.transportChoice === 'all' && !scenario.peak ? entry.transports : entry.transports.slice(0, 1);
    const encodings = scenario.peak ? entry.encodings.slice(0, 1) : entry.encodings;
    const variants = scenario.peak ? entry.variants?.slice(0, 1) : entry.variants;
    for (const transport of request.transports ?? own) {
      for (const encoding of encodings) {
        const reason = realtimeUnsupportedReason(entry, transport, encoding);
        if (reason) {
          cells.push({ kind: 'skip', ...base, transport, encoding, reason });
          continue;
        }
        // Each client variant (Socket.IO's websocket and polling transports) is a cell of its own;
        // one that cannot ride this transport (GraphQL over WebSocket on h2) is a skip with its reason.
        for (const v of variants ?? [undefined]) {
          const variant = v ? { variant: v.name } : {};
          const variantReason = v?.unsupported?.find((u) => u.transport === transport)?.reason;
          if (variantReason) {
            cells.push({ kind: 'skip', ...base, transport, encoding, ...variant, reason: variantReason });
            continue;
          }
          cells.push({ kind: 'run', scenario, protocol, transport, network, encoding, ...variant });
        }
      }
    }
  }
  return cells;
}

/**
 * Head-of-line cells: the scenario's protocols on its transports (or the
 * requested ones), on emulated networks only — on loopback every cell is a
 * skip saying why. Requested protocols the experiment does not compare get
 * one skip each with the reason.
 */
function planHol(scenario: HolScenario, network: string, request: MatrixRequest): CellPlan[] {
  const cells: CellPlan[] = [];
  for (const protocol of request.protocols) {
    const entry = findProtocol(protocol);
    const base = { scenario: scenario.name, protocol, network };
    if (!entry || !scenario.protocols.includes(protocol)) {
      const reason = `${scenario.name}: compares transports on ${scenario.protocols.join(', ')} only`;
      cells.push({ kind: 'skip', ...base, transport: '-', encoding: '-', reason });
      continue;
    }
    const encoding = entry.encodings[0] ?? 'json';
    for (const transport of request.transports ?? scenario.transports) {
      const reason =
        network === 'loopback'
          ? `${scenario.name}: needs an emulated link`
          : request.holNetworks && !request.holNetworks.includes(network)
            ? `${scenario.name}: runs on ${request.holNetworks.join(', ') || 'no network'} in this profile (name ${network} in --networks to run it here)`
            : unsupportedReason(entry, transport, 'unary');
      if (reason) cells.push({ kind: 'skip', ...base, transport, encoding, reason });
      else cells.push({ kind: 'run', scenario, protocol, transport, network, encoding });
    }
  }
  return cells;
}

/** The identifying fields of a run cell as results.json keys it (the scenario by name). */
export function runKey<P extends string, T extends string, E extends string>(plan: {
  scenario: { name: string };
  protocol: P;
  transport: T;
  network: string;
  encoding: E;
  variant?: string;
}) {
  return {
    scenario: plan.scenario.name,
    protocol: plan.protocol,
    transport: plan.transport,
    network: plan.network,
    encoding: plan.encoding,
    ...(plan.variant ? { variant: plan.variant } : {}),
  };
}
