import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectHttp3 } from './connection.js';

/**
 * A Certificate message holding any X.509 certificate plus a
 * CertificateVerify is far larger than this (an ECDSA P-256 CertificateVerify
 * alone is ~75 bytes, the smallest real certificate ~250): a handshake
 * flight at least this much smaller than the full one carried neither.
 */
const CERTIFICATE_FLIGHT_MIN_BYTES = 128;
/** How long to wait for quiche to finish writing a closed connection's qlog. */
const QLOG_WAIT_MS = 2000;

/**
 * Why HTTP/3 cells have no 0-RTT figure (measured with @currentspace/http3
 * 0.9.0, pinned by test/lib/http3-resumption.test.ts): a client with
 * `allow0RTT` and a ticket the server then accepts sends no 0-RTT packet —
 * its ClientHello carries the pre_shared_key but no early_data extension,
 * because the server's tickets do not allow early data (its quiche config
 * never enables it and no server option does), and the client's HTTP/3
 * layer refuses requests ("H3 not initialized") until the handshake is done.
 */
export const HTTP3_ZERO_RTT_UNSUPPORTED =
  "@currentspace/http3 0.9's server issues tickets without early-data permission (no server option enables it), so an allow0RTT client offering an accepted ticket sends no 0-RTT packet and its first request waits for the handshake";

/** What one connection's own record (quiche's qlog) says about its handshake. */
export interface Http3HandshakeRecord {
  /**
   * CRYPTO bytes the server sent in the Handshake packet space: its
   * EncryptedExtensions and Finished, plus Certificate and
   * CertificateVerify on a full handshake only. Wire bytes cannot tell the
   * two apart: QUIC pads the server's first datagram to 1200 bytes and
   * quiche's PMTU probes (16 KB on loopback) dwarf the rest.
   */
  readonly serverHandshakeBytes: number;
  /** QUIC packets the client sent as 0-RTT (early data). */
  readonly zeroRttPackets: number;
}

/** Whether a server resumed an offered ticket, with the evidence. */
export interface Http3ResumptionAudit {
  readonly resumed: boolean;
  /** Server handshake flight of a connection offering no ticket (certificate included). */
  readonly fullBytes: number;
  /** Server handshake flight of a connection offering the ticket. */
  readonly offeredBytes: number;
}

/**
 * Opens one connection (with quiche's qlog switched on, into a `wb-` temp
 * directory removed afterwards), completes the handshake, closes it and
 * reads the handshake from the qlog. Why a qlog: the package reports no
 * "resumed" flag, and quiche's qlog is the one per-connection record it
 * writes. It costs milliseconds per connection (≈ 10–20 ms measured on this
 * VM), so timed connections never carry one: audits run beside them.
 */
export async function recordHttp3Handshake(
  url: string,
  options: { readonly caPem?: string; readonly sessionTicket?: Buffer },
): Promise<Http3HandshakeRecord> {
  const dir = await mkdtemp(join(tmpdir(), 'wb-h3-qlog-'));
  try {
    const connection = await connectHttp3(url, {
      ...(options.caPem ? { caPem: options.caPem } : {}),
      ...(options.sessionTicket ? { sessionTicket: options.sessionTicket } : {}),
      qlogDir: dir,
    });
    await connection.close();
    return await readHandshakeRecord(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Decides whether `url`'s server resumes `sessionTicket`: one connection
 * offering no ticket (the full handshake, certificate included) and one
 * offering it; resumed when the second's server flight is smaller by at
 * least a certificate's worth — TLS 1.3 resumption sends no Certificate and
 * no CertificateVerify. Two extra handshakes, never timed.
 */
export async function auditHttp3Resumption(
  url: string,
  options: { readonly caPem?: string; readonly sessionTicket: Buffer },
): Promise<Http3ResumptionAudit> {
  const full = await recordHttp3Handshake(url, { ...(options.caPem ? { caPem: options.caPem } : {}) });
  const offered = await recordHttp3Handshake(url, options);
  return {
    resumed: offered.serverHandshakeBytes + CERTIFICATE_FLIGHT_MIN_BYTES <= full.serverHandshakeBytes,
    fullBytes: full.serverHandshakeBytes,
    offeredBytes: offered.serverHandshakeBytes,
  };
}

/**
 * Sums the qlog of the one connection in `dir`. quiche writes it from its
 * worker thread and may finish after `close()` resolved, so read until the
 * server's Handshake packets are in (or give up with the reason).
 */
export async function readHandshakeRecord(dir: string): Promise<Http3HandshakeRecord> {
  const deadline = Date.now() + QLOG_WAIT_MS;
  for (;;) {
    const record = await sumQlogs(dir);
    if (record.serverHandshakeBytes > 0) return record;
    if (Date.now() > deadline) {
      throw new Error(`http3: expected quiche's qlog in ${dir} to hold the server's handshake, got none`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** JSON-SEQ's record separator (RFC 7464), before each qlog record. */
const RECORD_SEPARATOR = '\u001e';

/** qlog events we read: JSON-SEQ records (RFC 7464, each line may start with RS). */
interface QlogEvent {
  readonly name?: string;
  readonly data?: {
    readonly header?: { readonly packet_type?: string };
    readonly frames?: readonly {
      readonly frame_type?: string;
      readonly raw?: { readonly payload_length?: number };
    }[];
  };
}

async function sumQlogs(dir: string): Promise<Http3HandshakeRecord> {
  let serverHandshakeBytes = 0;
  let zeroRttPackets = 0;
  for (const file of await readdir(dir)) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const line of text.split('\n')) {
      // A cheap filter first: a qlog holds hundreds of events we do not need.
      if (!line.includes('quic:packet_')) continue;
      let event: QlogEvent;
      try {
        event = JSON.parse(line.startsWith(RECORD_SEPARATOR) ? line.slice(1) : line) as QlogEvent;
      } catch {
        continue; // the last line may still be being written
      }
      const type = event.data?.header?.packet_type;
      if (event.name === 'quic:packet_sent' && type === '0RTT') zeroRttPackets++;
      if (event.name !== 'quic:packet_received' || type !== 'handshake') continue;
      for (const frame of event.data?.frames ?? []) {
        if (frame.frame_type === 'crypto') serverHandshakeBytes += frame.raw?.payload_length ?? 0;
      }
    }
  }
  return { serverHandshakeBytes, zeroRttPackets };
}
