/**
 * Acceptance tests on a real link (root; /dev/net/tun). Serial: there is one
 * link at a time. On this kernel (no sch_netem) `auto` picks the userspace
 * emulator; where the kernel has netem the same assertions hold for tc.
 */
import { spawn } from 'node:child_process';
import test from 'ava';
import { type Link, linkDown, linkUp } from '../../netem/index.js';
import { readState } from '../../netem/state.js';
import {
  binomial99,
  leftovers,
  linkTestsBlocked,
  NETEM_SH,
  netemSh,
  peer,
  waitForNoLeftovers,
} from './helpers.js';

const blocked = await linkTestsBlocked();
const serial = blocked ? test.skip : test.serial;
if (blocked) {
  test('link acceptance tests', (t) => {
    t.log(`skipped: ${blocked}`);
    t.pass();
  });
}

/** Brings a link up for one test and always takes it down. */
async function withLink(
  t: { log: (...v: unknown[]) => void },
  options: Parameters<typeof linkUp>[0],
  body: (link: Link) => Promise<void>,
) {
  const link = await linkUp(options);
  try {
    t.log(`${link.mode} ${link.config.name}: configured ${JSON.stringify(link.configured)}`);
    await body(link);
  } finally {
    await link.down();
  }
}

serial(
  'delay 25 ms each way: median RTT 50 ± 1.5 ms over ≥ 200 probes; status --json has the contract shape',
  async (t) => {
    await withLink(t, { network: 'delay=25ms', verify: { probes: 400, intervalMs: 2 } }, async (link) => {
      const m = link.measured!;
      t.log(`rtt ${JSON.stringify(m.rtt)}; emulator lateness ${JSON.stringify(m.emulator?.up.latenessMs)}`);
      t.true((m.rtt?.count ?? 0) >= 200);
      t.true(Math.abs((m.rttMs ?? 0) - 50) <= 1.5, `median RTT ${m.rttMs} ms`);
      const status = JSON.parse((await netemSh(['status', '--json'])).stdout) as {
        mode: string;
        client: unknown;
        server: unknown;
        configured: Record<string, unknown>;
        measured: { rttMs: number | null };
        emulator: { up: { latenessMs: { p99: unknown } } } | null;
      };
      t.true(['userspace', 'tc-netem'].includes(status.mode));
      t.deepEqual(status.client, { netns: 'wb-client', addr: '10.87.66.1', iface: 'wb-cli0' });
      t.deepEqual(status.server, { netns: 'wb-server', addr: '10.87.66.2', iface: 'wb-srv0' });
      t.like(status.configured, { delayMs: 25, rttMs: 50, cc: 'cubic' });
      t.is(status.measured.rttMs, m.rttMs);
      if (status.mode === 'userspace') t.is(typeof status.emulator?.up.latenessMs.p99, 'number');
    });
  },
);

serial(
  'loss 2% each way: measured loss inside the 99% binomial interval over ≥ 5,000 packets each way',
  async (t) => {
    await withLink(
      t,
      { network: 'delay=5ms,loss=2%', verify: { probes: 6000, intervalMs: 0.25 } },
      async (link) => {
        const p = link.measured!.probes;
        t.log(`probes ${JSON.stringify(p)}; up ${link.measured?.upLossPct}% down ${link.measured?.lossPct}%`);
        for (const [name, n, lost] of [
          ['client→server', p.sent, p.sent - p.serverReceived],
          ['server→client', p.serverEchoed, p.serverEchoed - p.clientReceived],
        ] as const) {
          const [lo, hi] = binomial99(n, 0.02);
          t.true(n >= 5000, `${name}: ${n} packets`);
          t.true(
            lost >= lo && lost <= hi,
            `${name}: lost ${lost} of ${n}, expected ${lo.toFixed(0)}..${hi.toFixed(0)}`,
          );
        }
      },
    );
  },
);

serial('rate 20 Mbit/s: TCP throughput 18–20.5 Mbit/s', async (t) => {
  await withLink(
    t,
    { network: 'rate=20mbit,delay=5ms', verify: { probes: 50, tcpSeconds: 4 } },
    async (link) => {
      const m = link.measured!;
      t.log(`tcp ${JSON.stringify(m.tcp)}; emulator ${JSON.stringify(m.emulator?.down)}`);
      t.true((m.rateMbit ?? 0) >= 18 && (m.rateMbit ?? 0) <= 20.5, `${m.rateMbit} Mbit/s`);
    },
  );
});

serial('a QUIC flow crosses the link (10 ms each way, 1% loss)', async (t) => {
  await withLink(t, { network: 'delay=10ms,loss=1%', verify: false }, async (link) => {
    const server = peer('wb-server', ['quic-server', '4433']);
    try {
      const ready = await server.next<{ caPem: string }>();
      const client = peer('wb-client', ['quic-client', link.server.addr!, '4433', String(512 * 1024)], {
        WB_TEST_CA: ready.caPem,
      });
      const r = await client.next<{ bytes: number; intact: boolean; ms: number }>(60_000);
      const e = await link.emulatorStats();
      t.log(
        `QUIC echo of 512 KiB: ${JSON.stringify(r)}; emulator drops up/down ${e?.up.dropsRandom}/${e?.down.dropsRandom}`,
      );
      t.is(r.bytes, 512 * 1024);
      t.true(r.intact);
    } finally {
      server.kill();
    }
  });
});

serial('drop=udp:PORT:3 drops exactly the third server→client datagram', async (t) => {
  await withLink(t, { network: 'delay=2ms,drop=udp:7000:3', verify: false }, async (link) => {
    const server = peer('wb-server', ['udp-burst-server', '7000']);
    try {
      await server.next();
      const r = await peer('wb-client', ['udp-burst-client', link.server.addr!, '7000', '10']).next<{
        tags: number[];
      }>();
      t.deepEqual(r.tags, [0, 1, 3, 4, 5, 6, 7, 8, 9]);
      t.is((await link.emulatorStats())?.down.dropsDeterministic, 1);
    } finally {
      server.kill();
    }
  });
});

serial('drop=tcp:PORT:3 drops one data segment of a TCP flow, which TCP then retransmits', async (t) => {
  await withLink(t, { network: 'delay=5ms,drop=tcp:7001:3', verify: false }, async (link) => {
    const server = peer('wb-server', ['tcp-source', '7001', String(200_000)]);
    try {
      await server.next();
      const r = await peer('wb-client', ['tcp-sink', link.server.addr!, '7001']).next<{
        bytes: number;
        intact: boolean;
      }>();
      t.like(r, { bytes: 200_000, intact: true });
      t.is((await link.emulatorStats())?.down.dropsDeterministic, 1);
    } finally {
      server.kill();
    }
  });
});

serial(
  'SIGINT to a daemon emulator (netem.sh up) removes every wb- namespace, link and process',
  async (t) => {
    const up = await netemSh(['up', 'delay=5ms', '--no-verify']);
    t.is(up.code, 0, up.stderr);
    const pid = (await readState())?.pid;
    t.truthy(pid);
    t.is((await leftovers()).netns.length, 2);
    process.kill(pid!, 'SIGINT');
    t.deepEqual(await waitForNoLeftovers(), { netns: [], links: [], processes: [] });
  },
);

serial('after SIGKILL of the emulator, status says stale and netem.sh down removes everything', async (t) => {
  const up = await netemSh(['up', '4g', '--no-verify']);
  t.is(up.code, 0, up.stderr);
  process.kill((await readState())!.pid!, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  t.is((await leftovers()).netns.length, 2, 'named namespaces survive a SIGKILL');
  t.like(JSON.parse((await netemSh(['status', '--json'])).stdout), { mode: 'down', stale: true });
  t.is((await netemSh(['down'])).code, 0);
  t.deepEqual(await waitForNoLeftovers(), { netns: [], links: [], processes: [] });
});

for (const signal of ['SIGINT', 'SIGKILL'] as const) {
  serial(`netem.sh up --foreground: ${signal} to the owner removes everything`, async (t) => {
    const owner = spawn(NETEM_SH, ['up', 'delay=5ms', '--no-verify', '--foreground'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      owner.stderr.on('data', (c: Buffer) => c.toString().includes('Ctrl-C removes it') && resolve());
      owner.once('exit', (code) => reject(new Error(`owner exited early with ${code}`)));
    });
    t.is((await leftovers()).netns.length, 2);
    owner.kill(signal);
    t.deepEqual(await waitForNoLeftovers(), { netns: [], links: [], processes: [] });
  });
}

test.after.always('nothing is left behind', async () => {
  if (!blocked) await linkDown();
});

/**
 * What a user reads off an emulated link, through the whole bench: warm TTFB
 * ≈ 1 RTT; cold TTFB ≈ 2 RTT for HTTP/1.1 cleartext (TCP + request),
 * ≈ 3 RTT for HTTP/2 over TLS 1.3 (TCP + TLS + request) and ≈ 2 RTT for
 * HTTP/3 (QUIC + TLS 1.3 in one round trip, then the request), each within
 * 15% of the link's measured RTT. A 100 ms round trip (a mobile or
 * intercontinental path) keeps the few milliseconds of CPU each phase costs
 * on a busy 2-core runner (CI runs test files side by side) inside that 15%.
 */
serial(
  'bench on a 50 ms-each-way link: warm TTFB ≈ 1 RTT, cold ≈ 2 RTT (h1, h3) and ≈ 3 RTT (h2 over TLS 1.3)',
  async (t) => {
    // Three cells of 30 cold, 30 resumed and 30 probe handshakes at 100 ms a round trip.
    t.timeout(480_000);
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runCli } = await import('../cli/helpers.js');
    const out = await mkdtemp(join(tmpdir(), 'wb-ttfb-'));
    try {
      const { code, stderr } = await runCli(
        'bench/protocols/main.ts',
        [
          // standard: 30 cold samples, so one slow handshake on a busy machine cannot move the median.
          '--profile',
          'standard',
          '--networks',
          'delay=50ms',
          '--protocols',
          'rest',
          '--transports',
          'h1,h2,h3',
          '--scenarios',
          'get-small',
          '--duration',
          '1',
          '--out',
          out,
        ],
        420_000,
      );
      t.is(code, 0, stderr);
      const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as {
        networks: { name: string; measured: { rttMs: number | null } }[];
        cells: {
          transport: string;
          state: string;
          reason?: string;
          ttfbMs?: { p50: number };
          ttfbColdMs?: { p50: number };
          connectPhasesMs?: { quic?: { p50: number }; setup?: { p50: number } };
        }[];
      };
      const rtt = results.networks.find((n) => n.name === 'delay=50ms')?.measured.rttMs ?? Number.NaN;
      t.true(rtt > 95 && rtt < 108, `link RTT ${rtt} ms`);
      const near = (value: number | undefined, rtts: number): boolean =>
        value !== undefined && Math.abs(value - rtts * rtt) <= 0.15 * rtts * rtt;
      for (const [transport, coldRtts] of [
        ['h1', 2],
        ['h2', 3],
        ['h3', 2],
      ] as const) {
        const cell = results.cells.find((c) => c.transport === transport);
        t.is(cell?.state, 'completed', `${transport}: ${cell?.reason ?? ''}`);
        t.log(
          `${transport}: warm ${cell?.ttfbMs?.p50.toFixed(1)} ms, cold ${cell?.ttfbColdMs?.p50.toFixed(1)} ms, RTT ${rtt} ms`,
        );
        t.true(near(cell?.ttfbMs?.p50, 1), `${transport} warm TTFB ≈ 1 RTT`);
        t.true(near(cell?.ttfbColdMs?.p50, coldRtts), `${transport} cold TTFB ≈ ${coldRtts} RTT`);
      }
      // HTTP/3's cold TTFB leaves out the client library's local setup; both are reported, and
      // the QUIC + TLS 1.3 handshake itself is the one round trip the protocol promises.
      const h3 = results.cells.find((c) => c.transport === 'h3')?.connectPhasesMs;
      t.log(
        `h3: QUIC handshake ${h3?.quic?.p50.toFixed(1)} ms, client setup ${h3?.setup?.p50.toFixed(1)} ms`,
      );
      t.true(near(h3?.quic?.p50, 1), 'h3 QUIC + TLS handshake ≈ 1 RTT');
      t.true((h3?.setup?.p50 ?? -1) >= 0, 'h3 client setup reported');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
);
