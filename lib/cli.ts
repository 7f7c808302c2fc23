import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A command-line mistake: printed as one line, exit status 2 (the contract for every CLI here). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Parses flags strictly: an unknown flag or a missing value is a
 * {@link UsageError}, never silently ignored.
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? String(error));
  }
}

/** Splits a comma list and checks every item against the allowed names. */
export function parseList<T extends string>(flag: string, value: string, allowed: readonly T[]): T[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`--${flag}: expected a comma-separated list, got "${value}"`);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new UsageError(`--${flag}: expected one of ${allowed.join(', ')}, got "${item}"`);
    }
  }
  return items as T[];
}

/** Parses a whole number within bounds. */
export function parseInteger(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag}: expected an integer in ${min}..${max}, got "${value}"`);
  }
  return n;
}

/** Parses a positive number (decimals allowed) within bounds. */
export function parseNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${flag}: expected a number in ${min}..${max}, got "${value}"`);
  }
  return n;
}

/**
 * Runs a CLI entry point: usage errors print one line and exit 2; anything
 * else prints its message (stack only with WB_DEBUG=1) and exits 1.
 */
export function runMain(name: string, main: () => Promise<number | undefined>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${name}: ${error.message}\n`);
        process.exit(2);
      }
      const detail = process.env.WB_DEBUG
        ? ((error as Error).stack ?? String(error))
        : String((error as Error).message ?? error);
      process.stderr.write(`${name}: ${detail}\n`);
      process.exit(1);
    },
  );
}
