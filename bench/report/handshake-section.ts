import type { CompletedCell, Results } from '../results/schema.js';

const ms = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(3));

/**
 * report.md's "cold, resumed and warm" section: per request/response cell on
 * a TLS transport, TTFB on an open connection, on a brand-new one (full
 * handshake) and on a brand-new one offering an earlier client's TLS
 * session — with the resumption state, and the reason wherever there is no
 * resumed figure. Cleartext cells are left to the main tables.
 */
export function handshakeSection(results: Results): string[] {
  const recorded = results.cells.filter(
    (c): c is CompletedCell => c.state === 'completed' && c.resumption !== undefined,
  );
  if (recorded.length === 0) return [];
  // Cleartext cells have nothing to resume: their warm and cold figures are in the tables above.
  const cells = recorded.filter((c) => c.resumption?.state !== 'not-applicable');
  if (cells.length === 0) {
    return [
      '## Cold, resumed and warm connections',
      '',
      'No TLS cell in this run (each protocol ran on a cleartext transport), so no session to resume; ' +
        '`--transports h1s,h2,h3` or `--profile standard` measure resumed TTFB.',
      '',
    ];
  }
  return [
    '## Cold, resumed and warm connections',
    '',
    'TTFB p50 per connection state: warm = an open connection; cold = connection start (TCP/QUIC + TLS) to first ' +
      'response byte on a new client; resumed = the same on a new client offering the TLS session an earlier client ' +
      'received (only handshakes the client reports, or audits show, as resumed are timed).',
    '',
    '| scenario | protocol | transport | enc | network | warm p50 ms | cold p50 ms | resumed p50 ms | resumption |',
    '|---|---|---|---|---|--:|--:|--:|---|',
    ...cells.map((c) => {
      const r = c.resumption;
      const state =
        r === undefined
          ? '–'
          : r.state === 'resumed'
            ? `resumed ${r.resumed}/${r.samples}${r.evidence ? ', audited' : ''}`
            : `${r.state}: ${r.reason.replaceAll('|', '\\|')}`;
      return (
        `| ${c.scenario} | ${c.protocol} | ${c.transport} | ${c.encoding} | ${c.network} | ${ms(c.ttfbMs.p50)} | ` +
        `${ms(c.ttfbColdMs.p50)} | ${ms(c.ttfbResumedMs?.p50)} | ${state} |`
      );
    }),
    '',
    ...footnotes(cells),
  ];
}

/**
 * What "audited" means, and why a transport that has 0-RTT in principle
 * (QUIC) has no 0-RTT figure — once per distinct reason, not per row.
 */
function footnotes(cells: readonly CompletedCell[]): string[] {
  const lines: string[] = [];
  if (cells.some((c) => c.resumption?.state === 'resumed' && c.resumption.evidence)) {
    lines.push(
      '_audited_: the client cannot report whether a handshake resumed (QUIC with @currentspace/http3); untimed ' +
        'handshakes offering the same ticket before and after the samples showed the server resumed it ' +
        '(`resumption.evidence` in results.json has the handshake bytes).',
      '',
    );
  }
  const zeroRtt = new Map<string, Set<string>>();
  for (const c of cells) {
    const r = c.resumption;
    const reason = r && (r.state === 'resumed' || r.state === 'not-resumed') ? r.zeroRtt : undefined;
    if (!reason) continue;
    const transports = zeroRtt.get(reason) ?? new Set<string>();
    transports.add(c.transport);
    zeroRtt.set(reason, transports);
  }
  for (const [reason, transports] of zeroRtt) {
    lines.push(`No 0-RTT figure on ${[...transports].join(', ')}: ${reason}.`, '');
  }
  return lines;
}
