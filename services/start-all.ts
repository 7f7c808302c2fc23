import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ownedTempDir } from '../lib/stale-temp.js';
import { generateTls } from '../lib/tls.js';
import { REALTIME_REGISTRY } from '../protocols/realtime-registry.js';
import { REGISTRY } from '../protocols/registry.js';
import { isTlsTransport, type ProtocolId, type TransportId } from '../protocols/types.js';
import { DATASET_PRESETS, type DatasetPresetName, FeedCore } from './core/index.js';
import type { ServerHandle, StartServer } from './types.js';

/** Whatever serves a protocol: its request/response adapter or its push adapter (never both). */
interface ServedProtocol {
  readonly id: ProtocolId;
  readonly transports: readonly TransportId[];
  readonly start: StartServer;
}

/** Every protocol with a server, from both registries, in registry order. */
export const SERVED: readonly ServedProtocol[] = [...REGISTRY, ...REALTIME_REGISTRY];
const servedProtocol = (id: ProtocolId): ServedProtocol | undefined => SERVED.find((e) => e.id === id);

export interface Endpoint {
  readonly protocol: ProtocolId;
  readonly transport: TransportId;
  readonly url: string;
}

export interface RunningServices {
  readonly endpoints: readonly Endpoint[];
  /** Requested protocols with no adapter here, with the reason. */
  readonly skipped: readonly { protocol: ProtocolId; reason: string }[];
  /** The one core every service shares (the bench asks it for backend-call counts). */
  readonly core: FeedCore;
  /** PEM file of this run's CA (in a `wb-` temp dir removed on close), when a TLS transport runs. */
  readonly caFile?: string;
  /** Every running server (the bench's control channel asks realtime ones for live connections and drops). */
  readonly handles: readonly ServerHandle[];
  close(): Promise<void>;
}

export interface StartAllOptions {
  readonly host: string;
  /** 0: every service on a free port; otherwise consecutive ports from here. */
  readonly portBase: number;
  readonly seed: number;
  readonly dataset: DatasetPresetName;
  readonly protocols?: readonly ProtocolId[];
  readonly transports?: readonly TransportId[];
}

/**
 * Starts one server per (protocol × transport) over one shared core, reading
 * only the registries. If any fails to start, the ones already up are closed
 * before the error propagates, so nothing is left listening.
 */
export async function startServices(options: StartAllOptions): Promise<RunningServices> {
  const core = new FeedCore({ seed: options.seed, preset: DATASET_PRESETS[options.dataset] });
  const wanted = options.protocols ?? SERVED.map((e) => e.id);
  const handles: ServerHandle[] = [];
  const skipped: { protocol: ProtocolId; reason: string }[] = [];
  let port = options.portBase;
  const plan = wanted.flatMap((id) =>
    (servedProtocol(id)?.transports ?? []).filter(
      (t) => !options.transports || options.transports.includes(t),
    ),
  );
  // One CA and server certificate per run, only when some transport needs TLS.
  const tls = plan.some(isTlsTransport)
    ? await generateTls({ hosts: [...new Set(['localhost', '127.0.0.1', '::1', options.host])] })
    : undefined;
  const tlsDir = tls ? await ownedTempDir('wb-tls-') : undefined;
  const caFile = tlsDir ? join(tlsDir, 'ca.pem') : undefined;
  if (tls && caFile) await writeFile(caFile, tls.caPem);
  const removeTlsDir = async (): Promise<void> => {
    if (tlsDir) await rm(tlsDir, { recursive: true, force: true });
  };
  try {
    for (const id of wanted) {
      const entry = servedProtocol(id);
      if (!entry) {
        skipped.push({ protocol: id, reason: 'no adapter in this version' });
        continue;
      }
      for (const transport of entry.transports) {
        if (options.transports && !options.transports.includes(transport)) continue;
        const tlsOption = tls && isTlsTransport(transport) ? { tls } : {};
        handles.push(await entry.start(core, { host: options.host, port, transport, ...tlsOption }));
        if (port !== 0) port++;
      }
    }
  } catch (error) {
    await Promise.allSettled(handles.map((h) => h.close()));
    await removeTlsDir();
    throw error;
  }
  return {
    endpoints: handles.map((h) => ({ protocol: h.protocol, transport: h.transport, url: h.url })),
    skipped,
    core,
    ...(caFile ? { caFile } : {}),
    handles,
    close: async () => {
      await Promise.allSettled(handles.map((h) => h.close()));
      await removeTlsDir();
    },
  };
}
