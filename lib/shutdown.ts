/**
 * Runs `cleanup` once on SIGINT, SIGTERM or when stdin closes (if asked),
 * whichever comes first. Child processes started by the bench use the stdin
 * rule: when the parent dies, its end of the pipe closes, and the child
 * cleans up instead of lingering.
 */
export function onShutdown(
  cleanup: (reason: string) => Promise<void>,
  options: { stdin?: boolean } = {},
): void {
  let started = false;
  const run = (reason: string): void => {
    if (started) return;
    started = true;
    cleanup(reason).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => run('SIGINT'));
  process.once('SIGTERM', () => run('SIGTERM'));
  if (options.stdin) {
    process.stdin.on('end', () => run('stdin closed'));
    process.stdin.on('close', () => run('stdin closed'));
    process.stdin.resume();
  }
}
