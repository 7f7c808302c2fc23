import test from 'ava';
import { handshakeSection } from '../../bench/report/handshake-section.js';
import type { CompletedCell, Results } from '../../bench/results/schema.js';
import { HTTP3_ZERO_RTT_UNSUPPORTED } from '../../lib/http3/index.js';
import { fixtureResults } from './fixture.js';

/** h3 cells: resumed figures decided by audits are marked, and the 0-RTT reason is said once, not per row. */
function withH3(): Results {
  const base = fixtureResults();
  const [rest] = base.cells.filter((c): c is CompletedCell => c.state === 'completed');
  if (!rest) throw new Error('fixture: expected a completed cell');
  const h3 = (protocol: string): CompletedCell => ({
    ...rest,
    protocol,
    transport: 'h3',
    ttfbResumedMs: { ...rest.ttfbColdMs, p50: 2.5 },
    resumption: {
      state: 'resumed',
      samples: 3,
      resumed: 3,
      evidence:
        'audited before and after the samples: server handshake flight 145 B with the ticket vs 650 B without',
      zeroRtt: HTTP3_ZERO_RTT_UNSUPPORTED,
    },
  });
  const tlsOverTcp: CompletedCell = {
    ...rest,
    transport: 'h2',
    resumption: { state: 'resumed', samples: 3, resumed: 3 },
  };
  return { ...base, cells: [h3('rest'), h3('connect'), tlsOverTcp] };
}

test('h3 rows say resumed …, audited; the 0-RTT reason appears once below the table', (t) => {
  const md = handshakeSection(withH3()).join('\n');
  t.regex(md, /\| rest \| h3 \| json \| loopback \| [\d.]+ \| [\d.]+ \| 2\.500 \| resumed 3\/3, audited \|/);
  t.regex(md, /\| rest \| h2 \| json \| loopback \| [\d.]+ \| [\d.]+ \| [–\d.]+ \| resumed 3\/3 \|/);
  t.regex(md, /_audited_: the client cannot report whether a handshake resumed/);
  t.is(md.split('No 0-RTT figure on h3: ').length - 1, 1);
  t.true(md.includes(HTTP3_ZERO_RTT_UNSUPPORTED));
});

test('without h3 cells there is neither footnote', (t) => {
  const results = withH3();
  const md = handshakeSection({ ...results, cells: results.cells.filter((c) => c.transport !== 'h3') }).join(
    '\n',
  );
  t.false(md.includes('_audited_'));
  t.false(md.includes('0-RTT'));
});
