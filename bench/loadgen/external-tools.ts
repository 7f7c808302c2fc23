import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** One external tool's figure for the same endpoint. */
export interface ToolResult {
  readonly tool: string;
  readonly rps: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly errors: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  non2xx: number;
}

/** autocannon (HTTP/1.1, keep-alive, no pipelining): the reference h1 load generator in Node. */
export async function runAutocannon(
  url: string,
  connections: number,
  durationS: number,
): Promise<ToolResult> {
  const autocannon = require('autocannon') as (
    opts: Record<string, unknown>,
    cb: (err: Error | null, result: AutocannonResult) => void,
  ) => unknown;
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    autocannon({ url, connections, pipelining: 1, duration: durationS }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
  return {
    tool: 'autocannon',
    rps: result.requests.total / durationS,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/**
 * h2load (nghttp2-client): the reference HTTP/2 load generator. `http://`
 * URLs use HTTP/2 with prior knowledge (h2c), matching the services' h2c.
 * Returns undefined when h2load is not installed.
 */
export async function runH2load(
  url: string,
  streams: number,
  durationS: number,
): Promise<ToolResult | undefined> {
  let stdout: string;
  try {
    ({ stdout } = await run('h2load', ['-c', '1', '-m', String(streams), '-D', String(durationS), url], {
      timeout: (durationS + 30) * 1000,
    }));
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseH2load(stdout);
}

/** Parses h2load's summary ("finished in 5.00s, 12345.67 req/s, …" and the status line). */
export function parseH2load(stdout: string): ToolResult {
  const rate = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(stdout);
  const status =
    /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(stdout);
  if (!rate)
    throw new Error(`h2load: expected a "finished in …, N req/s" line, got: ${stdout.slice(0, 300)}`);
  return {
    tool: 'h2load',
    rps: Number(rate[1]),
    errors: status ? Number(status[2]) + Number(status[3]) : 0,
  };
}
