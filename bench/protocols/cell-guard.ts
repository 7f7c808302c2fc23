import type { Cell } from '../results/schema.js';
import { type CellPlan, runKey } from './plan.js';
import { type CellRunOptions, runCell } from './run-cell.js';

/** After an escaped exception, how long the abandoned cell may take to close its clients. */
const WIND_DOWN_MS = 15_000;

/**
 * Runs one cell so that an exception a client library throws outside any
 * promise the cell awaits — an event listener of its own, e.g.
 * @fails-components/webtransport's `secureConnect` handler throws "Can not
 * get http2 TLSSocket" when its HTTP/2 session was torn down mid-handshake
 * (seen with 10,000 clients connecting at once) — fails that cell with the
 * reason instead of ending the run. The cell is aborted through its own
 * signal so it closes what it opened; the run's signal is not touched.
 *
 * Why a process-level listener: the throw happens in the library's own
 * listener, which no caller can wrap. It is installed only while a cell
 * runs, and an exception then belongs to that cell (cells run one at a time
 * per process).
 */
export async function runCellGuarded(
  plan: Extract<CellPlan, { kind: 'run' }>,
  options: CellRunOptions,
  run: typeof runCell = runCell,
): Promise<Cell> {
  const cellAbort = new AbortController();
  const forward = (): void => cellAbort.abort(options.signal.reason);
  if (options.signal.aborted) forward();
  else options.signal.addEventListener('abort', forward, { once: true });
  let escaped: (error: unknown) => void = () => {};
  const crashed = new Promise<unknown>((resolve) => {
    escaped = resolve;
  });
  const onUncaught = (error: unknown): void => escaped(error);
  process.on('uncaughtException', onUncaught);
  const running = run(plan, { ...options, signal: cellAbort.signal });
  try {
    const outcome = await Promise.race([
      running.then((cell) => ({ cell })),
      crashed.then((error) => ({ error })),
    ]);
    if ('cell' in outcome) return outcome.cell;
    cellAbort.abort(outcome.error);
    // Give the cell its chance to close its clients; exceptions meanwhile still belong to it.
    await Promise.race([
      running.catch(() => {}),
      new Promise((resolve) => setTimeout(resolve, WIND_DOWN_MS)),
    ]);
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    return {
      ...runKey(plan),
      load: options.load,
      state: 'failed',
      reason: `a client library threw outside the cell's control (uncaught exception): ${message}`,
    };
  } finally {
    process.off('uncaughtException', onUncaught);
    options.signal.removeEventListener('abort', forward);
  }
}
