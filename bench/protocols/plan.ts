import { findProtocol, unsupportedReason } from '../../protocols/registry.js';
import type { EncodingId, ProtocolId, TransportId } from '../../protocols/types.js';
import { findScenario } from '../scenarios/catalog.js';
import type { Scenario } from '../scenarios/types.js';

/** One cell to run, or to record as skipped with its reason. */
export type CellPlan =
  | {
      readonly kind: 'run';
      readonly scenario: Scenario;
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
      for (const protocol of request.protocols) {
        const entry = findProtocol(protocol);
        const base = { scenario: scenarioName, protocol, network };
        if (!entry) {
          for (const transport of request.transports ?? ['-']) {
            cells.push({
              kind: 'skip',
              ...base,
              transport,
              encoding: '-',
              reason: `${protocol}: no adapter in this version`,
            });
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
