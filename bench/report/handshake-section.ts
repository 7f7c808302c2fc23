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
      'received (only handshakes the client reports as resumed are timed).',
    '',
    '| scenario | protocol | transport | enc | network | warm p50 ms | cold p50 ms | resumed p50 ms | resumption |',
    '|---|---|---|---|---|--:|--:|--:|---|',
    ...cells.map((c) => {
      const r = c.resumption;
      const state =
        r === undefined
          ? '–'
          : r.state === 'resumed'
            ? `resumed ${r.resumed}/${r.samples}`
            : `${r.state}: ${r.reason.replaceAll('|', '\\|')}`;
      return (
        `| ${c.scenario} | ${c.protocol} | ${c.transport} | ${c.encoding} | ${c.network} | ${ms(c.ttfbMs.p50)} | ` +
        `${ms(c.ttfbColdMs.p50)} | ${ms(c.ttfbResumedMs?.p50)} | ${state} |`
      );
    }),
    '',
  ];
}
