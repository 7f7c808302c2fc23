import { spawn } from 'node:child_process';

/** What a finished command printed and how it ended. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command and collects its output. Injected everywhere a system
 * command is run, so tests can fake the system (e.g. a kernel with netem).
 */
export type Runner = (
  cmd: string,
  args: readonly string[],
  options?: { timeoutMs?: number },
) => Promise<RunResult>;

/** The real runner: asynchronous (never blocks an event loop), no shell, killed after a timeout. */
export const run: Runner = (cmd, args, options = {}) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: stderr + e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });

/** A system command that failed: says which command, its status and what it printed. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** Runs a command that must succeed; returns its stdout. */
export async function must(runner: Runner, cmd: string, args: readonly string[]): Promise<string> {
  const r = await runner(cmd, args);
  if (r.code !== 0) {
    const detail = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
    throw new CommandError(`\`${cmd} ${args.join(' ')}\` failed (exit ${r.code}): ${detail}`);
  }
  return r.stdout;
}
