/** What escaped every handler while the guard was on. */
export interface ProcessGuard {
  /** Removes the listeners and returns what they saw, one line each (empty: nothing escaped). */
  stop(): string[];
}

/**
 * Collects unhandled rejections and uncaught exceptions for a test file's
 * lifetime. A server that answers a malformed request correctly but leaves a
 * rejected promise behind (a parser's, a stream's) is a crash waiting for a
 * stricter runtime; the suite asserts the list is empty at the end.
 */
export function watchProcess(): ProcessGuard {
  const seen: string[] = [];
  const describe = (kind: string, error: unknown): string =>
    `${kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  const onRejection = (reason: unknown): void => {
    seen.push(describe('unhandledRejection', reason));
  };
  const onException = (error: unknown): void => {
    seen.push(describe('uncaughtException', error));
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    stop: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      return [...seen];
    },
  };
}
