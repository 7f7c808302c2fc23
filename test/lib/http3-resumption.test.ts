import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import {
  auditHttp3Resumption,
  connectHttp3,
  type Http3Connection,
  type Http3FetchServer,
  http3Unavailable,
  loadHttp3,
  ReconnectingHttp3,
  readHandshakeRecord,
  recordHttp3Handshake,
  serveFetchOverHttp3,
} from '../../lib/http3/index.js';
import { type GeneratedTls, generateTls } from '../../lib/tls.js';

/**
 * QUIC session resumption with @currentspace/http3 on loopback: a ticket
 * from one connection resumes the next (decided from the handshake's own
 * qlog: no Certificate in the server's flight), a garbage ticket costs a
 * full handshake and no error, and 0-RTT stays impossible — pinned, so a
 * package upgrade that allows it fails here and prompts wiring it up.
 */
let tls: GeneratedTls;
let skipped: string | undefined;
let server: Http3FetchServer | undefined;

test.before(async () => {
  tls = await generateTls();
  skipped = await http3Unavailable(tls);
  if (skipped) return;
  server = await serveFetchOverHttp3(() => new Response('ok'), { host: '127.0.0.1', port: 0, ...tls });
});

test.after.always(async () => {
  await server?.close();
});

function h3(title: string, body: (t: ExecutionContext, url: string) => Promise<void>): void {
  test.serial(title, async (t) => {
    if (skipped || !server) {
      t.log(`skipped: h3 cannot run here: ${skipped}`);
      t.pass();
      return;
    }
    await body(t, server.url);
  });
}

/** One GET to completion, then (TLS 1.3 sends it after the handshake) the server's ticket. */
async function ticketFrom(connection: Http3Connection): Promise<Buffer> {
  const res = await connection.request({ method: 'GET', path: '/' }).response;
  for await (const _ of res) {
    // drain
  }
  const deadline = Date.now() + 2000;
  while (!connection.sessionTicket() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const ticket = connection.sessionTicket();
  if (!ticket) throw new Error('expected a session ticket from the server, got none');
  return ticket;
}

async function firstTicket(url: string): Promise<Buffer> {
  const connection = await connectHttp3(url, { caPem: tls.caPem });
  try {
    return await ticketFrom(connection);
  } finally {
    await connection.close();
  }
}

h3(
  'a connection offering an earlier connection’s ticket resumes: the server sends no certificate',
  async (t, url) => {
    const ticket = await firstTicket(url);
    const full = await recordHttp3Handshake(url, { caPem: tls.caPem });
    const resumed = await recordHttp3Handshake(url, { caPem: tls.caPem, sessionTicket: ticket });
    // The full flight holds at least the leaf certificate (DER) besides what a resumed one holds.
    const leafDer = Buffer.from(tls.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').length;
    t.log(
      `server handshake flight: full ${full.serverHandshakeBytes} B, resumed ${resumed.serverHandshakeBytes} B, leaf ${leafDer} B`,
    );
    t.true(resumed.serverHandshakeBytes > 0);
    t.true(full.serverHandshakeBytes >= resumed.serverHandshakeBytes + leafDer);
    t.true((await auditHttp3Resumption(url, { caPem: tls.caPem, sessionTicket: ticket })).resumed);
  },
);

h3(
  'every offered ticket resumes: the server keeps one ticket key (the package default accepted about half)',
  async (t, url) => {
    const ticket = await firstTicket(url);
    const full = (await recordHttp3Handshake(url, { caPem: tls.caPem })).serverHandshakeBytes;
    for (let i = 0; i < 5; i++) {
      const offered = await recordHttp3Handshake(url, { caPem: tls.caPem, sessionTicket: ticket });
      t.true(
        offered.serverHandshakeBytes < full,
        `attempt ${i}: ${offered.serverHandshakeBytes} B vs full ${full} B`,
      );
    }
  },
);

h3(
  'a garbage or foreign ticket falls back to a full handshake, without error, and the requests work',
  async (t, url) => {
    const foreign = await serveFetchOverHttp3(() => new Response('other'), {
      host: '127.0.0.1',
      port: 0,
      ...tls,
    });
    t.teardown(() => foreign.close());
    const foreignTicket = await firstTicket(foreign.url);
    for (const [name, ticket] of [
      ['garbage', randomBytes(300)],
      ['another server’s', foreignTicket],
    ] as const) {
      const audit = await auditHttp3Resumption(url, { caPem: tls.caPem, sessionTicket: ticket });
      t.false(audit.resumed, `${name} ticket: ${audit.offeredBytes} B vs full ${audit.fullBytes} B`);
      const connection = await connectHttp3(url, { caPem: tls.caPem, sessionTicket: ticket });
      try {
        t.true(connection.offeredTicket);
        t.truthy(await ticketFrom(connection), `${name} ticket: the full handshake issues a fresh ticket`);
      } finally {
        await connection.close();
      }
    }
  },
);

h3(
  'a reconnecting client offers its ticket on every connection and keeps the newest one received',
  async (t, url) => {
    const ticket = await firstTicket(url);
    const quic = new ReconnectingHttp3(url, { caPem: tls.caPem, sessionTicket: ticket });
    t.teardown(() => quic.close());
    const connection = await quic.connection();
    const received = await ticketFrom(connection);
    t.deepEqual(quic.resumption(), { ticket: received, offered: 1, plain: 0 });
    const plain = new ReconnectingHttp3(url, { caPem: tls.caPem });
    t.teardown(() => plain.close());
    await plain.connection();
    t.like(plain.resumption(), { offered: 0, plain: 1 });
  },
);

h3(
  'pinned: no 0-RTT — an allow0RTT client offering an accepted ticket sends no early data (package 0.9)',
  async (t, url) => {
    const ticket = await firstTicket(url);
    const { connect } = await loadHttp3();
    const dir = await mkdtemp(join(tmpdir(), 'wb-h3-qlog-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const session = connect(
      { address: '127.0.0.1', port: Number(new URL(url).port), servername: 'localhost' },
      { ca: tls.caPem, sessionTicket: ticket, allow0RTT: true, qlogDir: dir },
    );
    session.on('error', () => {});
    // As early as the package allows: from its 'runtime' event (native client created) until the handshake is done.
    let earlyRefusals = 0;
    const sent = new Promise<void>((resolve) => {
      session.once('runtime', () => {
        const attempt = (): void => {
          try {
            const stream = session.request(
              { ':method': 'GET', ':path': '/', ':scheme': 'https', ':authority': 'localhost' },
              { endStream: true },
            );
            stream.resume();
            resolve();
          } catch {
            earlyRefusals++;
            setImmediate(attempt);
          }
        };
        attempt();
      });
    });
    await session.ready();
    await sent;
    await session.close();
    const record = await readHandshakeRecord(dir);
    const full = (await recordHttp3Handshake(url, { caPem: tls.caPem })).serverHandshakeBytes;
    t.log(`0-RTT packets ${record.zeroRttPackets}, requests refused before the handshake ${earlyRefusals}`);
    t.true(record.serverHandshakeBytes < full, 'the ticket was resumed (so 0-RTT was possible in principle)');
    t.is(
      record.zeroRttPackets,
      0,
      'the package now sends 0-RTT: measure ttfbZeroRttMs (bench/protocols/measure-resumed.ts)',
    );
  },
);
