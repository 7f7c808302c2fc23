import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Results } from '../../bench/results/schema.js';
import { alive, spawnCli } from './helpers.js';

test('Ctrl-C mid-run writes partial results marked aborted and leaves no services process', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'wb-abort-'));
  try {
    const child = spawnCli('bench/protocols/main.ts', [
      '--networks',
      'loopback',
      '--protocols',
      'rest,grpc',
      '--scenarios',
      'get-small,list-large,create-small',
      '--duration',
      '3',
      '--out',
      out,
    ]);
    let stderr = '';
    // Interrupt once the second cell has started: the first is complete by then.
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/\[2\/\d+\]/.test(stderr)) resolve();
      });
      child.once('exit', () => reject(new Error(`exited before the second cell; stderr: ${stderr}`)));
    });
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = await exited;
    t.is(code, 130, stderr);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
    t.is(results.run.status, 'aborted');
    t.true(
      results.cells.some((c) => c.state === 'completed'),
      'the finished cell is kept',
    );
    t.true(results.cells.length < 6, 'cells after the interruption were not run');
    // The services child saw its stdin close and exited.
    const pid = /services for loopback running as pid (\d+)/.exec(stderr);
    t.truthy(pid, 'the bench names its services process');
    t.false(alive(Number(pid?.[1])));
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
