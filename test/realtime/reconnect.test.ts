import test from 'ava';
import type { Gap } from '../../clients/realtime/index.js';
import { DATASET_PRESETS, FeedCore, TopicHub } from '../../services/core/index.js';
import {
  assertLossReported,
  CASES,
  caseName,
  post,
  range,
  seqs,
  serve,
  take,
  takeThrough,
} from './helpers.js';

/** A core whose hub keeps only 16 events per topic, so a short outage can exceed the history. */
class ShortHistoryCore extends FeedCore {
  override readonly topics = new TopicHub({ historyPerTopic: 16 });
}

const options = { seed: 1, preset: DATASET_PRESETS.small };
const reconnect = { initialDelayMs: 20, maxDelayMs: 200, seed: 7 };

for (const c of CASES) {
  const name = caseName(c);

  test(`${name}: a cut connection is re-established and resumes without loss while publishing continues`, async (t) => {
    const core = new FeedCore(options);
    const { server, client } = await serve(t, c, core);
    const gaps: Gap[] = [];
    const sub = client({ reconnect }).subscribe('live', { onGap: (g) => gaps.push(g) });
    await sub.ready;
    // The publisher runs on the server side, independent of any client connection.
    let published = 0;
    const publishing = (async () => {
      while (published < 300) {
        core.topics.publish('live', post(++published));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    if (!c.reliable) {
      // Datagrams (registry: reliable false) may lose events on the way; the resume after the cut
      // must still lose nothing silently: what arrives is in order, and every missing seq is a gap.
      const first = await takeThrough(sub, 60n, () => {});
      t.true(server.dropConnections() > 0, 'cut every socket mid-stream');
      await publishing;
      const rest = await takeThrough(sub, 300n, () => core.topics.publish('live', post(++published)));
      assertLossReported(t, seqs([...first, ...rest]), 1n, 300n, gaps);
      t.true(sub.reconnects >= 1, `reconnected (${sub.reconnects} time(s))`);
      return;
    }
    const first = await take(sub, 60);
    t.true(server.dropConnections() > 0, 'cut every socket mid-stream');
    const rest = await take(sub, 240);
    await publishing;
    t.deepEqual(seqs([...first, ...rest]), range(1, 300), 'no loss, no duplicate, in order');
    t.deepEqual(gaps, []);
    t.true(sub.reconnects >= 1, `reconnected (${sub.reconnects} time(s))`);
  });

  test(`${name}: an outage longer than the history is reported as a gap, then delivery continues`, async (t) => {
    const core = new ShortHistoryCore(options);
    const { server, client } = await serve(t, c, core);
    const gaps: Gap[] = [];
    const sub = client({ reconnect: { ...reconnect, initialDelayMs: 100 } }).subscribe('lossy', {
      onGap: (g) => gaps.push(g),
    });
    await sub.ready;
    for (let i = 1; i <= 5; i++) core.topics.publish('lossy', post(i));
    if (!c.reliable) {
      // Datagrams: the history gap must be reported as such; anything else missing is a gap too.
      let n = 5;
      const before = await takeThrough(sub, 5n, () => core.topics.publish('lossy', post(++n)));
      server.dropConnections();
      const cutAt = n;
      for (let i = n + 1; i <= n + 100; i++) core.topics.publish('lossy', post(i));
      n += 100;
      const last = BigInt(n);
      const after = await takeThrough(sub, last, () => core.topics.publish('lossy', post(++n)));
      // The history held the last 16 of the 100: those before them are one reported gap.
      t.true(
        gaps.some((g) => g.from <= BigInt(cutAt + 1) && g.to >= last - 16n),
        `the history gap is reported: ${JSON.stringify(gaps, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`,
      );
      assertLossReported(t, seqs([...before, ...after]), 1n, last, gaps);
      return;
    }
    t.deepEqual(seqs(await take(sub, 5)), range(1, 5));
    server.dropConnections();
    // 100 events while the client is away: the history keeps the last 16 (90..105).
    for (let i = 6; i <= 105; i++) core.topics.publish('lossy', post(i));
    t.deepEqual(seqs(await take(sub, 16)), range(90, 105));
    t.deepEqual(gaps, [{ from: 6n, to: 89n }]);
  });
}
