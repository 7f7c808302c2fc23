/**
 * Probe agent, run inside a namespace (`ip netns exec wb-… node agent.ts`):
 *
 * - `--role server`: UDP echo (counts every probe it receives) and a TCP
 *   source that streams for as long as the client asks. Prints
 *   `{"udpPort","tcpPort"}` when ready; on stdin close prints its counts.
 * - `--role client`: sends `--probes` UDP probes paced at `--interval-ms`,
 *   matches echoes (RTT per probe), then optionally downloads from the TCP
 *   source for `--tcp-seconds`. Prints one JSON result line.
 *
 * Plain Node sockets: no ping or iperf3 needed on the machine.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { NAMES } from '../names.js';

const MAGIC = 0x77627072; // "wbpr"
const PROBE_BYTES = 64;

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    server: { type: 'string' },
    'udp-port': { type: 'string' },
    'tcp-port': { type: 'string' },
    probes: { type: 'string', default: '200' },
    'interval-ms': { type: 'string', default: '2' },
    'drain-ms': { type: 'string', default: '1000' },
    'tcp-seconds': { type: 'string', default: '0' },
    'tcp-warmup-seconds': { type: 'string', default: '0.5' },
    'udp-bytes': { type: 'string', default: String(PROBE_BYTES) },
  },
});
process.title = NAMES.agentTitle;

if (values.role === 'server') runServer();
else if (values.role === 'client') void runClient();
else {
  process.stderr.write(`agent: expected --role server|client, got ${values.role}\n`);
  process.exit(2);
}

function runServer(): void {
  const udp = dgram.createSocket('udp4');
  const seen = new Set<number>();
  let echoed = 0;
  udp.on('message', (msg, rinfo) => {
    if (msg.length < 8 || msg.readUInt32BE(0) !== MAGIC) return;
    const seq = msg.readUInt32BE(4);
    if (seen.has(seq)) return; // a duplicate: count and echo each probe once
    seen.add(seq);
    echoed++;
    udp.send(msg, rinfo.port, rinfo.address);
  });
  const tcp = net.createServer((socket) => {
    socket.once('data', (request) => {
      const seconds = Number(request.toString().trim()) || 1;
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const until = performance.now() + seconds * 1000;
      const pump = (): void => {
        while (performance.now() < until) if (!socket.write(chunk)) return void socket.once('drain', pump);
        socket.end();
      };
      pump();
    });
    socket.on('error', () => {});
  });
  udp.bind(0, () => {
    tcp.listen(0, () => {
      const udpPort = udp.address().port;
      const tcpPort = (tcp.address() as net.AddressInfo).port;
      process.stdout.write(`${JSON.stringify({ udpPort, tcpPort })}\n`);
    });
  });
  const finish = (): void => {
    process.stdout.write(`${JSON.stringify({ received: seen.size, echoed })}\n`, () => process.exit(0));
  };
  process.stdin.on('end', finish);
  process.stdin.resume();
  process.on('SIGTERM', finish);
}

async function runClient(): Promise<void> {
  const host = values.server ?? '';
  const probes = Number(values.probes);
  const intervalMs = Number(values['interval-ms']);
  const udpResult = await udpProbes(
    host,
    Number(values['udp-port']),
    probes,
    intervalMs,
    Number(values['drain-ms']),
  );
  const tcpSeconds = Number(values['tcp-seconds']);
  const tcpResult =
    tcpSeconds > 0
      ? await tcpDownload(host, Number(values['tcp-port']), tcpSeconds, Number(values['tcp-warmup-seconds']))
      : null;
  process.stdout.write(`${JSON.stringify({ ...udpResult, tcp: tcpResult })}\n`, () => process.exit(0));
}

/** Paced UDP probes: each carries its sequence number; the echo gives the RTT. */
function udpProbes(
  host: string,
  port: number,
  count: number,
  intervalMs: number,
  drainMs: number,
): Promise<{ sent: number; received: number; rttsMs: number[] }> {
  return new Promise((resolve) => {
    const udp = dgram.createSocket('udp4');
    const sentAt = new Float64Array(count);
    const rtts: number[] = [];
    const got = new Uint8Array(count);
    udp.on('message', (msg) => {
      const now = performance.now();
      if (msg.length < 8 || msg.readUInt32BE(0) !== MAGIC) return;
      const seq = msg.readUInt32BE(4);
      if (seq >= count || got[seq]) return;
      got[seq] = 1;
      rtts.push(now - (sentAt[seq] ?? now));
    });
    let next = 0;
    const start = performance.now();
    const bytes = Math.max(8, Number(values['udp-bytes']));
    // Send every probe whose time has come; a 1 ms tick keeps pacing right even for sub-ms intervals.
    const tick = (): void => {
      const due = Math.min(count, Math.floor((performance.now() - start) / intervalMs) + 1);
      for (; next < due; next++) {
        const msg = Buffer.alloc(bytes);
        msg.writeUInt32BE(MAGIC, 0);
        msg.writeUInt32BE(next, 4);
        sentAt[next] = performance.now();
        udp.send(msg, port, host);
      }
      if (next < count) setTimeout(tick, Math.min(intervalMs, 1));
      else setTimeout(finish, drainMs);
    };
    const finish = (): void => {
      udp.close();
      resolve({ sent: count, received: rtts.length, rttsMs: rtts });
    };
    udp.bind(0, tick);
  });
}

/** Downloads from the TCP source; the rate counts only bytes after the warm-up (slow start). */
function tcpDownload(
  host: string,
  port: number,
  seconds: number,
  warmupS: number,
): Promise<{ bytes: number; seconds: number; mbit: number } | { error: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host, () => socket.write(`${seconds}\n`));
    let first = 0;
    let counted = 0;
    let countedFrom = 0;
    let lastAt = 0;
    socket.on('data', (chunk: Buffer) => {
      const now = performance.now();
      if (first === 0) first = now;
      if (now - first >= warmupS * 1000) {
        if (countedFrom === 0) countedFrom = now;
        else counted += chunk.length;
      }
      lastAt = now;
    });
    socket.on('end', () => {
      const s = (lastAt - countedFrom) / 1000;
      resolve(
        s > 0
          ? { bytes: counted, seconds: s, mbit: (counted * 8) / s / 1e6 }
          : { error: 'no data after warm-up' },
      );
    });
    socket.on('error', (e) => resolve({ error: e.message }));
  });
}
