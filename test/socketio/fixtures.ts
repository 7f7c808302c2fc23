import http from 'node:http';
import type { ExecutionContext } from 'ava';
import WebSocket from 'ws';
import type { RealtimeClient } from '../../clients/realtime/index.js';
import { createRealtimeClient, type SioTransport } from '../../clients/socketio/index.js';
import type { FeedCore } from '../../services/core/index.js';
import type { RealtimeLimits } from '../../services/realtime/index.js';
import { type SocketIoServerHandle, startSocketIo } from '../../services/socketio/index.js';
import { post, range, seqs, take } from '../realtime/helpers.js';

export const TRANSPORTS: readonly SioTransport[] = ['websocket', 'polling'];

/** A Socket.IO server on h1 (port 0) and a client factory; everything closed at teardown. */
export async function serveSio(
  t: ExecutionContext,
  core: FeedCore,
  limits: Partial<RealtimeLimits> = {},
): Promise<{ server: SocketIoServerHandle; client(transport: SioTransport): RealtimeClient }> {
  const server = await startSocketIo(core, { host: '127.0.0.1', port: 0, transport: 'h1', limits });
  const clients: RealtimeClient[] = [];
  t.teardown(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });
  const client = (transport: SioTransport): RealtimeClient => {
    const made = createRealtimeClient({
      url: server.url,
      transport: 'h1',
      encoding: 'json',
      socketio: { transport },
      reconnect: { initialDelayMs: 20, maxDelayMs: 200, seed: 3 },
    });
    clients.push(made);
    return made;
  };
  return { server, client };
}

const ENGINE = '/socket.io/?EIO=4';

/** One raw HTTP request; resolves with status and body text. */
export function httpRequest(
  url: string,
  method: 'GET' | 'POST',
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'text/plain;charset=UTF-8' };
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * An engine.io polling session opened by hand (handshake, then Socket.IO
 * CONNECT), so a test can POST any bytes as the session's payload.
 */
export async function rawPolling(base: string): Promise<{
  sid: string;
  post(body: string): Promise<number>;
  get(): Promise<{ status: number; body: string }>;
}> {
  const open = await httpRequest(`${base}${ENGINE}&transport=polling`, 'GET');
  const match = /^0(\{.*\})$/.exec(open.body);
  if (!match) throw new Error(`rawPolling: expected an engine.io open packet, got ${open.body.slice(0, 80)}`);
  const { sid } = JSON.parse(match[1] ?? '{}') as { sid: string };
  const url = `${base}${ENGINE}&transport=polling&sid=${sid}`;
  const post = async (body: string): Promise<number> => (await httpRequest(url, 'POST', body)).status;
  const get = () => httpRequest(url, 'GET');
  if ((await post('40')) !== 200) throw new Error('rawPolling: the Socket.IO CONNECT was refused');
  // The CONNECT reply (`40{"sid":…}`) waits for the first poll.
  const connected = await get();
  if (!connected.body.startsWith('40')) throw new Error(`rawPolling: expected 40, got ${connected.body}`);
  return { sid, post, get };
}

/** A raw engine.io WebSocket: every text message received is recorded; `closed` settles with the close code. */
export async function rawEngineWs(base: string): Promise<{
  ws: WebSocket;
  messages: string[];
  closed: Promise<number>;
}> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}${ENGINE}&transport=websocket`);
  const messages: string[] = [];
  ws.on('message', (data) => messages.push(String(data)));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('error', () => {});
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

let servesNo = 0;

/** The server still works: a fresh client subscribes to a fresh topic and receives what is published. */
export async function assertServes(
  t: ExecutionContext,
  core: FeedCore,
  fresh: RealtimeClient,
): Promise<void> {
  const topic = `sio-serves-${++servesNo}`;
  const sub = fresh.subscribe(topic);
  await sub.ready;
  for (let i = 1; i <= 3; i++) core.topics.publish(topic, post(i));
  t.deepEqual(seqs(await take(sub, 3)), range(1, 3));
  sub.close();
}
