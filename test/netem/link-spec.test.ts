import test from 'ava';
import {
  applyOverrides,
  LinkSpecError,
  linkFromSpec,
  meanLossPct,
  PROFILE_NAMES,
  PROFILES,
  parseLinkSpec,
  profileLink,
  resolveNetwork,
  summarize,
} from '../../netem/index.js';
import { effectiveQueueBytes } from '../../netem/link-spec.js';
import { parseBytes, parseRate, parseTime, tcRate, tcTime } from '../../netem/units.js';

test('the contract custom spec parses into both directions', (t) => {
  const link = linkFromSpec('delay=40ms,jitter=5ms,loss=1%,rate=20mbit', 7, 'reno');
  t.is(link.name, 'custom');
  for (const d of [link.up, link.down]) {
    t.is(d.delayMs, 40);
    t.is(d.jitterMs, 5);
    t.deepEqual(d.loss, { kind: 'random', pct: 1 });
    t.is(d.rateMbit, 20);
  }
  t.like(summarize(link), {
    delayMs: 40,
    jitterMs: 5,
    lossPct: 1,
    rateMbit: 20,
    rttMs: 80,
    cc: 'reno',
    seed: 7,
  });
});

test('up-rate, Gilbert-Elliott loss, queue, reorder and the k-th drop parse', (t) => {
  const link = linkFromSpec(
    'delay=10ms,rate=10mbit,up-rate=2mbit,loss=ge:1%:25%,queue=128kb,reorder=5%,drop=tcp:8443:3',
  );
  t.is(link.down.rateMbit, 10);
  t.is(link.up.rateMbit, 2);
  t.deepEqual(link.down.loss, {
    kind: 'gilbert-elliott',
    pPct: 1,
    rPct: 25,
    badLossPct: 100,
    goodLossPct: 0,
  });
  t.is(Math.round(meanLossPct(link.down.loss) * 1000) / 1000, 3.846);
  t.is(link.down.queueBytes, 128 * 1024);
  t.is(link.down.reorderPct, 5);
  t.deepEqual(link.dropNth, { proto: 'tcp', serverPort: 8443, k: 3 });
});

test('bad values are one-line errors that say what was expected and what arrived', (t) => {
  const cases: [string, RegExp][] = [
    ['delay=abc', /delay: expected a time like 40ms, got "abc"/],
    ['loss=150%', /loss: expected a percentage/],
    ['rate=20kbps', /rate: expected a rate like 20mbit/],
    ['bogus=1', /expected key=value with key one of/],
    ['drop=tcp:0:1', /drop: expected tcp\|udp:PORT:K/],
    ['reorder=5%', /reorder: needs a delay/],
    ['queue=100b', /queue: expected a size of at least 1500 bytes/],
  ];
  for (const [spec, message] of cases) {
    const error = t.throws(() => linkFromSpec(spec), { instanceOf: LinkSpecError });
    t.regex(error?.message ?? '', message, spec);
    t.false((error?.message ?? '').includes('\n'));
  }
});

test('units follow tc spelling', (t) => {
  t.is(parseTime('d', '500us'), 0.5);
  t.is(parseTime('d', '1.5s'), 1500);
  t.is(parseTime('d', '7'), 7);
  t.is(parseRate('r', '768kbit'), 0.768);
  t.is(parseRate('r', 'none'), null);
  t.is(parseBytes('q', '1mb'), 1024 * 1024);
  t.is(tcTime(0.25), '250us');
  t.is(tcRate(0.768), '768kbit');
});

test('every profile the contract names exists and says where its numbers come from', (t) => {
  for (const name of ['lan', 'broadband', '4g', '3g', 'lossy-wifi', 'satellite']) {
    t.true(PROFILE_NAMES.includes(name), name);
    t.true((PROFILES[name]?.source.length ?? 0) > 40, `${name} has a source`);
  }
  const g3 = profileLink('3g');
  t.is(g3.down.rateMbit, 1.6);
  t.is(g3.up.rateMbit, 0.768);
  t.is(summarize(g3).rttMs, 300);
  t.is(summarize(profileLink('satellite')).rttMs, 600);
  t.is(profileLink('lossy-wifi').down.loss.kind, 'gilbert-elliott');
});

test('a profile with overrides, and an unknown profile', (t) => {
  const link = resolveNetwork('4g,loss=2%', 3);
  t.is(link.name, '4g+custom');
  t.is(link.down.delayMs, 85);
  t.is(meanLossPct(link.up.loss), 2);
  t.is(resolveNetwork('delay=5ms').name, 'custom');
  t.throws(() => resolveNetwork('5g'), { message: /unknown network profile "5g"; expected one of lan, / });
  t.is(applyOverrides(profileLink('lan'), parseLinkSpec('delay=1ms')).down.rateMbit, 1000);
});

test('the default queue holds 100 ms at the rate, within 64 KiB..4 MiB', (t) => {
  const at = (spec: string): number | null => effectiveQueueBytes(linkFromSpec(spec).down);
  t.is(at('delay=1ms'), null);
  t.is(at('rate=20mbit'), 250_000);
  t.is(at('rate=1mbit'), 64 * 1024);
  t.is(at('rate=1000mbit'), 4 * 1024 * 1024);
  t.is(at('rate=20mbit,queue=32kb'), 32 * 1024);
});
