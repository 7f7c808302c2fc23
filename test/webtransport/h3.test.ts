import test from 'ava';
import { generateTls } from '../../lib/tls.js';
import { QUICHE_MODULE, quicheStatus } from '../../lib/webtransport/index.js';
import { findRealtime, realtimeUnsupportedReason } from '../../protocols/realtime-registry.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { startWebTransport, WEBTRANSPORT_H3_REASON } from '../../services/webtransport/index.js';

/**
 * WebTransport over HTTP/3 depends on an optional module that cannot install
 * here. Wherever it is absent, the registry, `start` and the bench must all
 * give the same precise reason, naming the module.
 */
test('webtransport/h3: absent quiche transport → skipped with the reason naming the module', async (t) => {
  const entry = findRealtime('webtransport');
  if (!entry) return t.fail('expected a webtransport registry entry');
  const reason = realtimeUnsupportedReason(entry, 'h3');
  t.is(reason, WEBTRANSPORT_H3_REASON, 'the registry reports the computed reason');
  t.false(entry.transports.includes('h3'), 'h3 is never listed as runnable by this adapter');
  if (quicheStatus.available) {
    t.regex(WEBTRANSPORT_H3_REASON, /loads, but/);
    t.log(`${QUICHE_MODULE} is installed here; reason: ${WEBTRANSPORT_H3_REASON}`);
  } else {
    t.log(`skipped: webtransport/h3: ${WEBTRANSPORT_H3_REASON}`);
    t.regex(WEBTRANSPORT_H3_REASON, /webtransport-transport-http3-quiche, which is not installed/);
  }
  const tls = await generateTls();
  const core = new FeedCore({ seed: 1, preset: DATASET_PRESETS.small });
  await t.throwsAsync(startWebTransport(core, { host: '127.0.0.1', port: 0, transport: 'h3', tls }), {
    message: `webtransport: expected transport h2, got h3 (${WEBTRANSPORT_H3_REASON})`,
  });
});
