import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import test from 'ava';
import { alive, firstLine, runCli, spawnCli } from './helpers.js';

const exec = promisify(execFile);

test('npm run services: every endpoint answers, curl gets a REST entity, SIGINT drains and exits 0', async (t) => {
  const child = spawnCli('services/main.ts', ['--json', '--dataset', 'small']);
  const ready = JSON.parse(await firstLine(child)) as {
    endpoints: { protocol: string; transport: string; url: string }[];
  };
  const protocols = ready.endpoints.map((e) => `${e.protocol}/${e.transport}`);
  t.true(protocols.includes('rest/h1'), `expected rest/h1, got ${protocols.join(' ')}`);
  t.true(protocols.includes('grpc/h2c'), `expected grpc/h2c, got ${protocols.join(' ')}`);
  const rest = ready.endpoints.find((e) => e.protocol === 'rest');
  // An independent client: curl, as a user would.
  const { stdout } = await exec('curl', ['-sS', '--fail', `${rest?.url}/v1/posts/p000001`]);
  const post = JSON.parse(stdout) as { id: string; authorId: string };
  t.is(post.id, 'p000001');
  t.truthy(post.authorId);
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const [code] = await exited;
  t.is(code, 0);
  t.false(alive(child.pid ?? -1));
});

test('npm run services: a bad flag is one line on stderr and exit 2', async (t) => {
  const { code, stderr } = await runCli('services/main.ts', ['--protocols', 'soap']);
  t.is(code, 2);
  t.is(stderr.trim().split('\n').length, 1);
  t.regex(stderr, /--protocols: expected one of .* got "soap"/);
});
