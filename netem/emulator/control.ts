import { rmSync } from 'node:fs';
import net from 'node:net';
import { JsonLines } from '../../lib/json-lines.js';
import { parseLoss } from '../link-spec.js';
import { checkDropRule, type DropRecord } from './armed-drop.js';
import type { Direction } from './direction.js';

/**
 * The emulator's run-time control channel: JSON lines on a Unix socket
 * (a path in /run, so a program inside either namespace reaches it — path
 * sockets belong to the file system, not to a network namespace). Every
 * request may carry an `id`, echoed in its one reply.
 *
 *   {"op":"arm","rule":{"proto":"tcp","serverPort":8443,"k":5,"minPayloadBytes":1000}} → {"ok":true,"armId":1}
 *   {"op":"disarm"}                          → {"ok":true,"wasArmed":false}
 *   {"op":"drops","since":1}                 → {"ok":true,"drops":[DropRecord…]}
 *   {"op":"loss","loss":"1%","seed":7}       → {"ok":true}  (both directions; "loss":null restores the configured model)
 *   {"op":"counters"}                        → {"ok":true,"counters":{"dropsRandom":{"up":n,"down":n},…}}
 *   {"op":"ping"}                            → {"ok":true}
 *
 * Anything else gets {"ok":false,"error":"expected …, got …"}; the channel stays open.
 */
export type ControlRequest =
  | { readonly op: 'arm'; readonly rule: unknown }
  | { readonly op: 'disarm' }
  | { readonly op: 'drops'; readonly since?: number }
  | { readonly op: 'loss'; readonly loss: string | null; readonly seed?: number }
  | { readonly op: 'counters' }
  | { readonly op: 'ping' };

/** Drop and packet counters per direction, for a caller that diffs them around a measurement. */
export interface ControlCounters {
  readonly packetsIn: { readonly up: number; readonly down: number };
  readonly dropsRandom: { readonly up: number; readonly down: number };
  readonly dropsDeterministic: { readonly up: number; readonly down: number };
}

export type ControlReply =
  | {
      readonly ok: true;
      readonly armId?: number;
      readonly wasArmed?: boolean;
      readonly drops?: DropRecord[];
      readonly counters?: ControlCounters;
    }
  | { readonly ok: false; readonly error: string };

const OPS = ['arm', 'disarm', 'drops', 'loss', 'counters', 'ping'] as const;

/** Answers one request against the link's two directions (the drop rule applies server → client). */
export function handleControl(link: { up: Direction; down: Direction }, raw: unknown): ControlReply {
  const request = (raw ?? {}) as { op?: unknown };
  try {
    const message = request as ControlRequest;
    switch (message.op) {
      case 'arm':
        return { ok: true, armId: link.down.arm(checkDropRule(message.rule)) };
      case 'disarm':
        return { ok: true, wasArmed: link.down.disarm() };
      case 'drops':
        return { ok: true, drops: link.down.drops(Number(message.since ?? 0) || 0) };
      case 'loss': {
        const model = message.loss === null ? null : parseLoss('loss', String(message.loss));
        const seed = Number(message.seed ?? 1);
        if (!Number.isInteger(seed))
          throw new TypeError(`loss: expected an integer seed, got ${message.seed}`);
        link.up.setLoss(model, seed * 2);
        link.down.setLoss(model, seed * 2 + 1);
        return { ok: true };
      }
      case 'counters': {
        const [u, d] = [link.up.stats(), link.down.stats()];
        return {
          ok: true,
          counters: {
            packetsIn: { up: u.packetsIn, down: d.packetsIn },
            dropsRandom: { up: u.dropsRandom, down: d.dropsRandom },
            dropsDeterministic: { up: u.dropsDeterministic, down: d.dropsDeterministic },
          },
        };
      }
      case 'ping':
        return { ok: true };
      default:
        return { ok: false, error: `expected op ${OPS.join('|')}, got ${JSON.stringify(request.op)}` };
    }
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** Listens on `path` (a stale socket file is replaced) and answers every line with `handle`. */
export function serveControl(path: string, handle: (request: unknown) => ControlReply): Promise<net.Server> {
  rmSync(path, { force: true });
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    const channel = new JsonLines(socket, socket, (e) =>
      socket.write(`${JSON.stringify({ ok: false, error: e.message })}\n`),
    );
    channel.on((request) => {
      const id = (request as { id?: unknown } | null)?.id;
      channel.send({ ...(id === undefined ? {} : { id }), ...handle(request) });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });
}
