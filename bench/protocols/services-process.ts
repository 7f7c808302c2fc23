import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ProtocolId, TransportId } from '../../protocols/types.js';

export interface ServiceEndpoint {
  readonly protocol: ProtocolId;
  readonly transport: TransportId;
  readonly url: string;
}

/** The services process's memory, as `process.memoryUsage()` reports it after a full GC (when `gc`). */
export interface ServerMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** Whether a full GC ran first (the process runs with --expose-gc): heap figures are then live data only. */
  readonly gc: boolean;
}

/** The services answered that the server asked about cannot do it (e.g. a handle that does not count connections). */
export class ServicesUnsupportedError extends Error {
  readonly code = 'UNIMPLEMENTED';
}

/** What the push scenarios ask of the services beyond the wire: memory, live connections, a mass drop. */
export interface ServicesControl {
  memory(): Promise<ServerMemory>;
  /** Connections the realtime server of `protocol` over `transport` holds right now. */
  liveConnections(protocol: string, transport: string): Promise<number>;
  /** Cuts every connection of that server at once (no close handshake); resolves with how many. */
  dropConnections(protocol: string, transport: string): Promise<number>;
}

export interface ServicesProcess extends ServicesControl {
  readonly endpoints: readonly ServiceEndpoint[];
  readonly pid: number;
  /** The run's CA, which clients trust explicitly for TLS transports. */
  readonly caPem?: string;
  /** Backend calls the services' core has made so far (all protocols share one core). */
  backendCalls(): Promise<number>;
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

/**
 * Starts `services/main.ts` in its own process, so the services and the load
 * generator never share an event loop. Readiness is the explicit JSON line the
 * services print once every listener is up — never a sleep. The child exits
 * when our end of its stdin closes, so it cannot outlive a crashed bench.
 */
export async function startServicesProcess(options: {
  protocols: readonly ProtocolId[];
  transports?: readonly TransportId[] | undefined;
  seed: number;
  dataset: string;
  /** Listen address (default 127.0.0.1); the server namespace's address on an emulated link. */
  host?: string;
  /** argv prefix, e.g. `ip netns exec wb-server`, to start the services inside a namespace. */
  prefix?: readonly string[];
}): Promise<ServicesProcess> {
  const args = [
    // Memory per held connection is read after a full GC, so the heap figure is live data, not garbage.
    '--expose-gc',
    '--import',
    'tsx',
    'services/main.ts',
    '--json',
    '--exit-with-stdin',
    '--seed',
    String(options.seed),
    '--dataset',
    options.dataset,
    '--protocols',
    options.protocols.join(','),
  ];
  if (options.transports) args.push('--transports', options.transports.join(','));
  if (options.host) args.push('--host', options.host);
  const [command, ...rest] = [...(options.prefix ?? []), process.execPath, ...args];
  const child = spawn(command ?? process.execPath, rest, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const ready = await waitForReady(child);
  const caPem = ready.caFile ? await readFile(ready.caFile, 'utf8') : undefined;
  const replies = controlReplies(child);
  // One command line out, one JSON line back, in order; the field named `field` or an error naming what came.
  const ask = async <T>(command: string, field: string): Promise<T> => {
    const reply = replies.next();
    child.stdin?.write(`${command}\n`);
    const value = (await reply) as Record<string, unknown>;
    if (typeof value.unsupported === 'string') throw new ServicesUnsupportedError(value.unsupported);
    if (!(field in value))
      throw new Error(`services: expected ${field} for "${command}", got ${JSON.stringify(value)}`);
    return value[field] as T;
  };
  return {
    endpoints: ready.endpoints,
    ...(caPem ? { caPem } : {}),
    backendCalls: async () => (await ask<{ total: number }>('backend-stats', 'backendStats')).total,
    memory: () => ask<ServerMemory>('memory', 'memory'),
    liveConnections: (protocol, transport) =>
      ask<number>(`live-connections ${protocol} ${transport}`, 'liveConnections'),
    dropConnections: (protocol, transport) =>
      ask<number>(`drop-connections ${protocol} ${transport}`, 'dropped'),
    pid: child.pid ?? -1,
    close: () => stopChild(child),
  };
}

function waitForReady(child: ChildProcess): Promise<{ endpoints: ServiceEndpoint[]; caFile?: string }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `services: expected a ready line within ${READY_TIMEOUT_MS} ms, got none; stderr: ${stderr}`,
        ),
      );
    }, READY_TIMEOUT_MS);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const onData = (chunk: Buffer): void => {
      stdout += chunk.toString();
      for (let newline = stdout.indexOf('\n'); newline >= 0; newline = stdout.indexOf('\n')) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        let ready: { endpoints?: ServiceEndpoint[]; caFile?: string } | undefined;
        try {
          ready = JSON.parse(line) as typeof ready;
        } catch {
          // A library's stray stdout log before the ready line: shown, not taken for it.
          if (line.trim() !== '') process.stderr.write(`services: ${line}\n`);
          continue;
        }
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        if (ready && Array.isArray(ready.endpoints)) {
          resolve(ready as { endpoints: ServiceEndpoint[]; caFile?: string });
        } else {
          reject(new Error(`services: expected a JSON ready line with endpoints, got "${line}"`));
        }
        return;
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`services: exited before ready (code ${code}, signal ${signal}); stderr: ${stderr.trim()}`),
      );
    });
  });
}

/** Closes stdin (the child drains and exits), escalating to SIGTERM and SIGKILL if it lingers. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const within = (ms: number): Promise<boolean> =>
    Promise.race([
      exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref()),
    ]);
  if (await within(8_000)) return;
  child.kill('SIGTERM');
  if (await within(3_000)) return;
  child.kill('SIGKILL');
  await exited;
}

/** Lines the child prints after its ready line, parsed as JSON, one per control command. */
function controlReplies(child: ChildProcess): { next(): Promise<unknown> } {
  const queued: unknown[] = [];
  const waiting: ((value: unknown) => void)[] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      // A library in the child may still print to stdout (a late log of an optional module's
      // failed import): pass such lines on to stderr instead of taking them for a reply.
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        if (line.trim() !== '') process.stderr.write(`services: ${line}\n`);
        continue;
      }
      const resolve = waiting.shift();
      if (resolve) resolve(value);
      else queued.push(value);
    }
  });
  return {
    next: () =>
      queued.length > 0 ? Promise.resolve(queued.shift()) : new Promise((resolve) => waiting.push(resolve)),
  };
}
