import { UsageError } from '../../lib/cli.js';
import { LinkSpecError, resolveNetwork } from '../../netem/index.js';

/**
 * Splits `--networks` into networks. Names and key=value settings share the
 * comma: settings after a profile name override that profile (`4g,loss=2%`),
 * settings after `loopback` or at the start form a custom link
 * (`delay=40ms,loss=1%`). Each network is checked against the profiles now,
 * so a typo is a usage error before anything starts.
 */
export function parseNetworks(value: string): string[] {
  const groups: string[][] = [];
  for (const raw of value.split(',')) {
    const token = raw.trim();
    if (token === '') continue;
    const last = groups.at(-1);
    if (token.includes('=') && last && last[0] !== 'loopback') last.push(token);
    else groups.push([token]);
  }
  if (groups.length === 0)
    throw new UsageError(`--networks: expected loopback, a profile or delay=…,loss=…, got "${value}"`);
  const networks = groups.map((g) => g.join(','));
  for (const network of networks) {
    if (network === 'loopback') continue;
    try {
      resolveNetwork(network);
    } catch (error) {
      if (error instanceof LinkSpecError || error instanceof Error) {
        throw new UsageError(`--networks: ${error.message.split('\n')[0]}`);
      }
      throw error;
    }
  }
  return networks;
}
