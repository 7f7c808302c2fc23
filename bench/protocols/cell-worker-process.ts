import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { JsonLines } from '../../lib/json-lines.js';
import type { Cell } from '../results/schema.js';
import type { CellJob, ParentMessage, WorkerMessage } from './cell-worker.js';
import { type ServicesControl, ServicesUnsupportedError } from './services-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CellWorker {
  run(job: Omit<CellJob, 'type' | 'id'>): Promise<Cell>;
  abort(): void;
  close(): Promise<void>;
}

/**
 * Starts the cell worker behind an argv prefix (e.g. `ip netns exec
 * wb-client`) and relays its backend-call questions to `backendCalls` and
 * its control questions (push scenarios) to `services`.
 */
export async function startCellWorker(
  prefix: readonly string[],
  backendCalls: () => Promise<number>,
  services?: ServicesControl,
): Promise<CellWorker> {
  const argv = [...prefix, process.execPath, '--import', 'tsx', 'bench/protocols/cell-worker.ts'];
  const [command, ...args] = argv;
  if (!command) throw new Error('cell-worker: expected a command, got none');
  const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  if (!child.stdin || !child.stdout) throw new Error('cell-worker: expected piped stdio');
  const channel = new JsonLines(child.stdout, child.stdin);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = channel.next((m): m is WorkerMessage => (m as WorkerMessage).type === 'ready');
  const first = await Promise.race([ready, exited.then((code) => code)]);
  if (typeof first === 'number' || first === null) {
    throw new Error(`cell-worker: exited (${first}) before it was ready`);
  }
  // The push scenarios' control questions (memory, live connections, cuts), answered by the services.
  channel.on((raw) => {
    const message = raw as WorkerMessage;
    if (message.type !== 'control?') return;
    const { id, method, args } = message;
    const call = services
      ? services[method](args[0] ?? '', args[1] ?? '')
      : Promise.reject(new Error('cell-worker: expected a services control channel, got none'));
    call.then(
      (value) => channel.send({ type: 'control', id, value } satisfies ParentMessage),
      (error: Error) =>
        channel.send({
          type: 'control',
          id,
          error: error.message,
          unsupported: error instanceof ServicesUnsupportedError,
        } satisfies ParentMessage),
    );
  });
  channel.on((raw) => {
    const message = raw as WorkerMessage;
    if (message.type !== 'backend?') return;
    backendCalls().then(
      (value) => channel.send({ type: 'backend', value } satisfies ParentMessage),
      () => channel.send({ type: 'backend', value: Number.NaN } satisfies ParentMessage),
    );
  });
  let nextId = 0;
  return {
    run: async (job) => {
      const id = nextId++;
      const reply = channel.next((m): m is Extract<WorkerMessage, { type: 'cell' }> => {
        const w = m as WorkerMessage;
        return w.type === 'cell' && w.id === id;
      });
      channel.send({ type: 'run', id, ...job } satisfies ParentMessage);
      const result = await Promise.race([reply, exited]);
      if (typeof result === 'number' || result === null)
        throw new Error(`cell-worker: exited (${result}) mid-cell`);
      return result.cell;
    },
    abort: () => channel.send({ type: 'abort' } satisfies ParentMessage),
    close: () => stop(child, exited),
  };
}

async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
