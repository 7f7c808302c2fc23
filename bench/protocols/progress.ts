/** Where progress goes: a TTY gets a redrawn bar, anything else plain lines (CI logs, pipes). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(chunk: string): unknown;
}

export interface Progress {
  /** A line of its own (kept in the scrollback above the bar on a TTY). */
  log(line: string): void;
  /** Cell `index` (1-based) of `total` starts. */
  start(index: number, label: string): void;
  /** Cell `index` ended; `outcome` is its one-line summary. */
  done(index: number, label: string, outcome: string): void;
  /** Removes the bar (TTY); call before printing the summary tables. */
  finish(): void;
}

const BAR_WIDTH = 24;

/**
 * Progress of the matrix run. On a TTY: each finished cell as a line, and
 * under them one bar redrawn in place (`[#####·····] 12/80 15% 0:42 get-small
 * rest/h2 …`). Otherwise: the same information as plain lines, one when a
 * cell starts and one when it ends, so logs stay greppable.
 */
export function createProgress(total: number, stream: ProgressStream = process.stderr): Progress {
  const startedAt = Date.now();
  if (!stream.isTTY) {
    return {
      log: (line) => stream.write(`${line}\n`),
      start: (i, label) => stream.write(`[${i}/${total}] ${label} …\n`),
      done: (i, label, outcome) => stream.write(`[${i}/${total}] ${label} ${outcome}\n`),
      finish: () => {},
    };
  }
  let bar = '';
  let completed = 0;
  let current = '';
  let finished = false;
  const clear = (): void => {
    if (bar) stream.write('\r\x1b[2K');
  };
  const draw = (): void => {
    if (finished) return;
    const fraction = total > 0 ? completed / total : 1;
    const filled = Math.round(fraction * BAR_WIDTH);
    const elapsed = Math.round((Date.now() - startedAt) / 1000);
    const clock = `${Math.floor(elapsed / 60)}:${String(elapsed % 60).padStart(2, '0')}`;
    const text = `[${'#'.repeat(filled)}${'·'.repeat(BAR_WIDTH - filled)}] ${completed}/${total} ${Math.round(fraction * 100)}% ${clock} ${current}`;
    // Never wrap: a wrapped bar cannot be redrawn with \r.
    bar = text.slice(0, Math.max(20, (stream.columns ?? 80) - 1));
    stream.write(`\r\x1b[2K${bar}`);
  };
  return {
    log: (line) => {
      clear();
      stream.write(`${line}\n`);
      draw();
    },
    start: (_i, label) => {
      current = `${label} …`;
      draw();
    },
    done: (i, label, outcome) => {
      completed = Math.max(completed, i);
      current = '';
      clear();
      stream.write(`[${i}/${total}] ${label} ${outcome}\n`);
      draw();
    },
    finish: () => {
      clear();
      bar = '';
      finished = true;
    },
  };
}
