import test from 'ava';
import { generateTls } from '../../lib/tls.js';
import { REGISTRY, unsupportedReason } from '../../protocols/registry.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { CHECKS, compare } from './operation-suite.js';

const FIXED_NOW = () => 1_767_225_600_000;
const newCore = () => new FeedCore({ seed: 1, preset: DATASET_PRESETS.small, nowMs: FIXED_NOW });
const tls = await generateTls();
const tally = { ran: 0, combinations: new Set<string>(), unsupported: [] as string[] };

/**
 * Every protocol × transport × encoding × operation the registry offers runs
 * the same checks against a fresh server, compared with a fresh core given
 * the same calls. What the registry marks unsupported is listed with its
 * reason. Reads only the registry: a new protocol is covered by its entry.
 */
for (const entry of REGISTRY) {
  for (const transport of entry.transports) {
    for (const encoding of entry.encodings) {
      const label = `${entry.id}/${transport}/${encoding}`;
      test.serial(`conformance: ${label}`, async (t) => {
        const core = newCore();
        const oracle = newCore();
        const server = await entry.start(core, { host: '127.0.0.1', port: 0, transport, tls });
        const client = entry.createClient({ url: server.url, transport, encoding, caPem: tls.caPem });
        try {
          await client.connect();
          for (const check of CHECKS) {
            const reason = unsupportedReason(entry, transport, check.kind);
            if (reason) {
              tally.unsupported.push(`${label} ${check.name}: ${reason}`);
              continue;
            }
            const { got, want, schema } = await check.run(client, oracle);
            const diff = compare(schema, got, want);
            t.is(diff, undefined, `${label} ${check.name}: ${diff}`);
            tally.ran++;
            tally.combinations.add(`${label} ${check.name}`);
          }
        } finally {
          await client.close();
          await server.close();
        }
      });
    }
  }
}

test.serial('conformance: summary', (t) => {
  t.log(`${tally.combinations.size} protocol × transport × encoding × operation combinations ran`);
  for (const line of tally.unsupported) t.log(`unsupported: ${line}`);
  t.true(tally.combinations.size > 0);
});
