import net from 'node:net';
import { JsonLines } from '../lib/json-lines.js';
import type { DropRecord, DropRule } from './emulator/armed-drop.js';
import type { ControlCounters, ControlReply } from './emulator/control.js';
import { CONTROL_SOCKET } from './state.js';

export type { DropRecord, DropRule } from './emulator/armed-drop.js';
export type { ControlCounters } from './emulator/control.js';

/** A connection to a running userspace emulator's control channel (see emulator/control.ts). */
export interface EmulatorControl {
  /** Arms the one-shot drop of the k-th matching server→client packet; resolves once armed. */
  arm(rule: DropRule): Promise<number>;
  /** Disarms; true when the rule had not fired yet. */
  disarm(): Promise<boolean>;
  /** The drops recorded from arming `sinceArmId` on. */
  drops(sinceArmId?: number): Promise<DropRecord[]>;
  /** Replaces the loss model in both directions (`1%`, `ge:1%:25%`), seeded; null restores the configured one. */
  setLoss(loss: string | null, seed: number): Promise<void>;
  /** Packet and drop counters per direction (diff two readings around a measurement). */
  counters(): Promise<ControlCounters>;
  close(): void;
}

/** A control request the emulator refused: its message says what it expected. */
export class EmulatorControlError extends Error {
  override readonly name = 'EmulatorControlError';
}

const REPLY_TIMEOUT_MS = 5000;

/**
 * Connects to the emulator's control socket. It exists only for a link in
 * userspace mode (tc-netem has no run-time drop rule): connecting fails with
 * a message that says so.
 */
export async function openEmulatorControl(path: string = CONTROL_SOCKET): Promise<EmulatorControl> {
  const socket = net.createConnection(path);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (e) =>
      reject(
        new EmulatorControlError(
          `emulator control: expected a userspace emulator listening on ${path}, got ${e.message}`,
        ),
      ),
    );
  });
  socket.on('error', () => {});
  const channel = new JsonLines(socket, socket);
  let nextId = 1;
  const ask = async (request: Record<string, unknown>): Promise<Extract<ControlReply, { ok: true }>> => {
    const id = nextId++;
    const reply = channel.next((m): m is ControlReply & { id: number } => (m as { id?: number }).id === id);
    channel.send({ ...request, id });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new EmulatorControlError(`emulator control: expected a reply to ${request.op}, got none`)),
        REPLY_TIMEOUT_MS,
      );
    });
    try {
      const r = await Promise.race([reply, timeout]);
      if (!r.ok) throw new EmulatorControlError(`emulator control: ${r.error}`);
      return r;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    arm: async (rule) => (await ask({ op: 'arm', rule })).armId ?? -1,
    disarm: async () => (await ask({ op: 'disarm' })).wasArmed ?? false,
    drops: async (since = 0) => (await ask({ op: 'drops', since })).drops ?? [],
    setLoss: async (loss, seed) => {
      await ask({ op: 'loss', loss, seed });
    },
    counters: async () => {
      const c = (await ask({ op: 'counters' })).counters;
      if (!c) throw new EmulatorControlError('emulator control: expected counters, got none');
      return c;
    },
    close: () => socket.destroy(),
  };
}
