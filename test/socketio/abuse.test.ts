import test from 'ava';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { waitFor } from '../realtime/helpers.js';
import { assertServes, httpRequest, rawEngineWs, rawPolling, serveSio } from './fixtures.js';

/**
 * Malformed packets at each layer — engine.io framing, socket.io-parser
 * packets, the wirebench protocol's events — sent raw over HTTP polling and
 * over a WebSocket: each ends its own session only; the server keeps serving.
 */
const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });

interface Garbage {
  readonly name: string;
  /** The engine.io payload, after the Socket.IO CONNECT (`40`). */
  readonly payload: string | Buffer;
  /** What the server says before it disconnects, when it says anything (a reply or `failure` event). */
  readonly says?: RegExp;
}

const GARBAGE: readonly Garbage[] = [
  { name: 'an unknown engine.io packet type', payload: 'zzz' },
  { name: 'an engine.io close-less payload of control bytes', payload: '\u0000\u0001\u0002' },
  { name: 'a socket.io packet that is not JSON', payload: '42["subscribe",{' },
  { name: 'a socket.io packet of unknown type', payload: '49["x"]' },
  { name: 'binary data with no packet awaiting it', payload: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
  {
    name: 'an event outside the protocol',
    payload: '42["hack",{"topic":"x"}]',
    says: /"failure",\{"code":"INVALID_ARGUMENT","message":"event: expected subscribe/,
  },
  {
    name: 'a request without an acknowledgement',
    payload: '42["subscribe",{"topic":"x"}]',
    says: /"code":"INVALID_ARGUMENT","message":"request: expected an acknowledgement/,
  },
  {
    name: 'a subscribe whose payload is not an object',
    payload: '421["subscribe","news"]',
    says: /^431\[\{"error":\{"code":"INVALID_ARGUMENT","message":"request: expected a JSON object, got string/,
  },
  {
    name: 'a subscribe with a malformed afterSeq',
    payload: '422["subscribe",{"topic":"x","afterSeq":"-1"}]',
    says: /^432\[\{"error":\{"code":"INVALID_ARGUMENT","message":"afterSeq: expected a sequence number/,
  },
  {
    name: 'a publish whose event is not a FeedEvent',
    payload: '423["publish",{"topic":"x","event":{"post":{"id":7}}}]',
    says: /^433\[\{"error":\{"code":"INVALID_ARGUMENT","message":"event: expected wirebench\.v1\.FeedEvent/,
  },
  {
    name: 'a chat message that is not a ChatMessage',
    payload: '42["chat",{"room":[]}]',
    says: /"failure",\{"code":"INVALID_ARGUMENT","message":"chat: expected wirebench\.v1\.ChatMessage/,
  },
];

for (const g of GARBAGE) {
  test(`websocket: ${g.name} ends that session; the server keeps serving`, async (t) => {
    const { server, client } = await serveSio(t, core);
    const raw = await rawEngineWs(server.url);
    raw.ws.send('40');
    await waitFor(() => raw.messages.some((m) => m.startsWith('40')), 'the Socket.IO CONNECT reply');
    raw.ws.send(g.payload);
    const code = await raw.closed;
    t.log(`closed with ${code}; heard ${JSON.stringify(raw.messages.slice(2))}`);
    if (g.says)
      t.true(
        raw.messages.some((m) => g.says?.test(m)),
        JSON.stringify(raw.messages),
      );
    await waitFor(() => server.connections() === 0, 'connections() back to 0');
    await assertServes(t, core, client('websocket'));
  });

  test(`polling: ${g.name} ends that session; the server keeps serving`, async (t) => {
    const { server, client } = await serveSio(t, core);
    const raw = await rawPolling(server.url);
    await waitFor(() => server.connections() === 1, 'the raw session');
    const body = typeof g.payload === 'string' ? g.payload : `b${g.payload.toString('base64')}`;
    const status = await raw.post(body);
    t.true(status === 200 || status === 400, `POST answered ${status}`);
    // A polling client learns of the end on its next polls (engine.io's orderly close waits for them):
    // what the server said, then the engine.io close packet (`1`) or, if it has already gone, a 400.
    const heard: string[] = [];
    for (let i = 0; i < 3; i++) {
      const poll = await raw.get();
      if (poll.status !== 200) break;
      heard.push(...poll.body.split('\u001e'));
      if (heard.includes('1')) break;
    }
    t.log(`heard ${JSON.stringify(heard)}`);
    if (g.says)
      t.true(
        heard.some((m) => g.says?.test(m)),
        JSON.stringify(heard),
      );
    await waitFor(() => server.connections() === 0, 'connections() back to 0');
    await assertServes(t, core, client('polling'));
  });
}

test('a handshake with an unknown sid, transport or protocol version is refused with 400', async (t) => {
  const { server, client } = await serveSio(t, core);
  for (const query of [
    'EIO=4&transport=polling&sid=nope',
    'EIO=4&transport=carrier-pigeon',
    'EIO=9&transport=polling',
  ]) {
    const res = await httpRequest(`${server.url}/socket.io/?${query}`, 'GET');
    t.is(res.status, 400, query);
  }
  const other = await httpRequest(`${server.url}/elsewhere`, 'GET');
  t.is(other.status, 404);
  t.is((JSON.parse(other.body) as { error: { code: string } }).error.code, 'NOT_FOUND');
  t.is(server.connections(), 0);
  await assertServes(t, core, client('polling'));
});
