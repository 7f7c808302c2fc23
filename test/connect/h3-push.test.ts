import { createClient } from '../../clients/connect/index.js';
import { TopicService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { startConnect } from '../../services/connect/index.js';
import { FeedCore } from '../../services/core/index.js';
import { post, waitFor } from '../realtime/helpers.js';
import { CORE_OPTIONS } from './fixtures.js';
import { h3Harness } from './h3-fixtures.js';

/**
 * The Connect server over HTTP/3 reports and cuts its push calls as it does
 * on TCP (the push client has no h3 link yet, so the request/response
 * client drives TopicService.Subscribe here): open Subscribe streams are
 * counted, `dropConnections()` closes the QUIC connection, and a resume
 * with after_seq on the reopened connection loses nothing.
 */
const { tls, h3, track } = await h3Harness();
const subscribe = TopicService.method.subscribe;

h3(
  'connect/h3: Subscribe streams are counted; dropConnections() cuts them and a resume loses nothing',
  async (t) => {
    const core = new FeedCore(CORE_OPTIONS);
    const server = track(await startConnect(core, { host: '127.0.0.1', port: 0, transport: 'h3', tls }));
    const client = track(
      createClient({ url: server.url, transport: 'h3', encoding: 'proto', caPem: tls.caPem }),
    );
    await client.connect();
    if (!client.serverStream) return t.fail('expected the Connect client to offer server streams');
    t.is(server.connections(), 0);

    // 1. Subscribed and three events in: one open push call.
    const first = client.serverStream(subscribe, { topic: 'h3' })[Symbol.asyncIterator]();
    t.is((await first.next()).value?.kind.case, 'subscribed');
    t.is(server.connections(), 1);
    for (let i = 1; i <= 3; i++) core.topics.publish('h3', post(i));
    const seen: bigint[] = [];
    while (seen.length < 3) {
      const { value } = await first.next();
      if (value?.kind.case === 'event') seen.push(value.kind.value.seq);
    }

    // 2. The cut: the stream fails, the server frees the call and its hub subscription.
    t.true(server.dropConnections() >= 1, 'the QUIC connection closed');
    await t.throwsAsync(async () => {
      for (let r = await first.next(); !r.done; r = await first.next()) {
        // Anything still buffered before the cut is drained here.
      }
    });
    await waitFor(
      () => server.connections() === 0 && core.topics.subscriberCount('h3') === 0,
      'the cut call freed',
    );

    // 3. Published while away, then a resume after the last seq seen on the reopened connection.
    for (let i = 4; i <= 6; i++) core.topics.publish('h3', post(i));
    const abort = new AbortController();
    const resumed = client.serverStream(subscribe, { topic: 'h3', afterSeq: 3n }, { signal: abort.signal });
    for await (const message of resumed) {
      if (message.kind.case === 'event') seen.push(message.kind.value.seq);
      if (seen.length === 6) break;
    }
    t.deepEqual(seen, [1n, 2n, 3n, 4n, 5n, 6n]);
    abort.abort();
    // lib/http3 notices a cancelled stream that is idle only when it next writes to it (a write
    // racing the reset still succeeds): events keep coming until the left call is gone. On TCP the
    // close of the request frees it at once.
    let extra = 7;
    await waitFor(() => {
      core.topics.publish('h3', post(extra++));
      return server.connections() === 0 && core.topics.subscriberCount('h3') === 0;
    }, 'the resumed call freed once left');
  },
);
