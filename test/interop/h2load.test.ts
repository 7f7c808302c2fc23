import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { generateTls } from '../../lib/tls.js';
import type { TransportId } from '../../protocols/types.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { startGraphql } from '../../services/graphql/index.js';
import { start as startRest } from '../../services/rest/index.js';
import type { StartServer } from '../../services/types.js';

const run = promisify(execFile);

async function h2loadAvailable(): Promise<boolean> {
  try {
    await run('h2load', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** Parses h2load's status line: total, succeeded, failed, errored, and the 2xx count. */
function parse(stdout: string): {
  done: number;
  succeeded: number;
  failed: number;
  errored: number;
  s2xx: number;
} {
  const req =
    /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(
      stdout,
    );
  const codes = /status codes: (\d+) 2xx/.exec(stdout);
  if (!req || !codes) throw new Error(`h2load: expected a summary, got: ${stdout.slice(0, 400)}`);
  return {
    done: Number(req[2]),
    succeeded: Number(req[3]),
    failed: Number(req[4]),
    errored: Number(req[5]),
    s2xx: Number(codes[1]),
  };
}

interface Target {
  readonly name: string;
  readonly start: StartServer;
  readonly path: string;
  /** POST body (h2load -d) and its content type, for GraphQL. */
  readonly body?: { readonly data: string; readonly type: string };
}

const TARGETS: readonly Target[] = [
  { name: 'rest', start: startRest, path: '/v1/posts/p000001' },
  {
    name: 'graphql',
    start: startGraphql,
    path: '/graphql',
    body: {
      data: JSON.stringify({ query: '{ post(id: "p000001") { id title author { handle } } }' }),
      type: 'application/json',
    },
  },
];

/**
 * An independent HTTP/2 client (h2load, nghttp2) against the REST and
 * GraphQL services over h2 (TLS, ALPN) and h2c (prior knowledge): every
 * request must succeed with a 2xx.
 */
for (const target of TARGETS) {
  for (const transport of ['h2c', 'h2'] as TransportId[]) {
    test(`h2load → ${target.name} over ${transport}: 100% of requests 2xx`, async (t) => {
      if (!(await h2loadAvailable())) {
        t.log('SKIPPED: h2load is not installed (Debian nghttp2-client; .ci/run installs it)');
        t.pass();
        return;
      }
      const tls = await generateTls();
      const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
      const server = await target.start(core, { host: '127.0.0.1', port: 0, transport, tls });
      const dir = await mkdtemp(join(tmpdir(), 'wb-h2load-'));
      try {
        const args = ['-n', '2000', '-c', '4', '-m', '10', `${server.url}${target.path}`];
        if (target.body) {
          const file = join(dir, 'body.json');
          await writeFile(file, target.body.data);
          args.push(
            '-d',
            file,
            '-H',
            `content-type: ${target.body.type}`,
            '-H',
            'accept: application/graphql-response+json',
          );
        }
        const { stdout } = await run('h2load', args, { timeout: 120_000 });
        const r = parse(stdout);
        t.log(`${target.name}/${transport}: ${r.succeeded}/${r.done} succeeded, ${r.s2xx} 2xx`);
        t.is(r.done, 2000);
        t.is(r.s2xx, 2000);
        t.is(r.failed + r.errored, 0);
      } finally {
        await rm(dir, { recursive: true, force: true });
        await server.close();
      }
    });
  }
}
