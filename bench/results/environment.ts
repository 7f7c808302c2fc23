import { readFile } from 'node:fs/promises';
import { cpus, release, totalmem } from 'node:os';
import type { EnvironmentRecord } from './schema.js';

/** Packages whose versions change the numbers; recorded with every run. */
const MEASURED_PACKAGES = [
  '@grpc/grpc-js',
  '@bufbuild/protobuf',
  '@whatwg-node/server',
  'graphql',
  'hdr-histogram-js',
] as const;

/** The machine and runtime a run happened on (mitata's lesson: numbers without a machine mean nothing). */
export async function describeEnvironment(): Promise<EnvironmentRecord> {
  const packages: Record<string, string> = {};
  for (const name of MEASURED_PACKAGES) {
    const version = await packageVersion(name);
    if (version) packages[name] = version;
  }
  return {
    node: process.version,
    platform: process.platform,
    kernel: release(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
    tcpCongestionControl: await readTrimmed('/proc/sys/net/ipv4/tcp_congestion_control'),
    packages,
  };
}

async function packageVersion(name: string): Promise<string | undefined> {
  try {
    const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    const json = JSON.parse(await readFile(url, 'utf8')) as { version?: string };
    return json.version;
  } catch {
    return undefined;
  }
}

async function readTrimmed(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}
