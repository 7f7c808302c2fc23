import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { parse } from 'yaml';

/**
 * schemas/gen is committed; this regenerates it into a temp dir with the
 * committed buf.gen.yaml and the local protoc-gen-es (offline) and compares
 * byte for byte, so an edit to the .proto without `npm run gen` fails CI.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');
const run = promisify(execFile);

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

test('schemas/gen is what buf generate produces from schemas/proto', async (t) => {
  const template = parse(await readFile(join(ROOT, 'buf.gen.yaml'), 'utf8')) as {
    plugins: { out: string }[];
  };
  const outs = [...new Set(template.plugins.map((p) => p.out))];
  t.true(outs.length > 0, `expected plugins with an out directory in buf.gen.yaml, got ${outs.length}`);

  const temp = await mkdtemp(join(tmpdir(), 'wb-'));
  t.teardown(() => rm(temp, { recursive: true, force: true }));
  // --output prefixes every plugin's `out`, so the committed template is used unchanged.
  await run(join(BIN, 'buf'), ['generate', '--template', 'buf.gen.yaml', '--output', temp], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${BIN}${delimiter}${process.env.PATH ?? ''}` },
    timeout: 60_000,
  });

  const differing: string[] = [];
  for (const out of outs) {
    const committed = await listFiles(join(ROOT, out));
    const generated = await listFiles(join(temp, out));
    t.true(generated.length > 0, `expected generated files under ${out}, got none`);
    for (const file of new Set([...committed, ...generated])) {
      const [a, b] = await Promise.all(
        [join(ROOT, out, file), join(temp, out, file)].map((p) => readFile(p).catch(() => undefined)),
      );
      if (!a) differing.push(`${join(out, file)} (not committed)`);
      else if (!b) differing.push(`${join(out, file)} (stale: no longer generated)`);
      else if (!a.equals(b)) differing.push(`${join(out, file)} (content differs)`);
    }
  }
  t.deepEqual(
    differing,
    [],
    `expected schemas/gen to match the .proto, got differences in:\n  ${differing.join('\n  ')}\nrun npm run gen and commit`,
  );
});
