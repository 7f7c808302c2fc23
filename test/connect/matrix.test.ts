import test from 'ava';
import { generateTls } from '../../lib/tls.js';
import { FeedCore } from '../../services/core/index.js';
import { CORE_OPTIONS, SUBJECTS, TRANSPORTS } from './fixtures.js';
import { checkBidi, checkErrors, checkStreams, checkUnary } from './suite.js';

const tls = await generateTls();
const ran: string[] = [];

/**
 * Every protocol × encoding × transport runs the same suite against a fresh
 * server core, compared with a fresh reference core given the same calls.
 */
for (const subject of SUBJECTS) {
  for (const encoding of subject.encodings) {
    for (const transport of TRANSPORTS) {
      const label = `${subject.id}(${encoding}) over ${transport}`;
      test.serial(label, async (t) => {
        const reference = new FeedCore(CORE_OPTIONS);
        const server = await subject.start(new FeedCore(CORE_OPTIONS), {
          host: '127.0.0.1',
          port: 0,
          transport,
          tls,
        });
        const client = subject.createClient({ url: server.url, transport, encoding, caPem: tls.caPem });
        try {
          await client.connect();
          await checkUnary(t, client, reference);
          await checkStreams(t, client, reference);
          await checkBidi(t, client, reference, transport);
          // Keep-alive: all of the above went over the one connection connect() opened.
          // (Checked before the error cases: on HTTP/1.1 connect-node destroys the
          // socket when a stream ends in an error status, so the next call reconnects.)
          t.is(server.stats().connections, 1);
          await checkErrors(t, client);
          ran.push(label);
        } finally {
          await client.close();
          await server.close();
        }
      });
    }
  }
}

test.serial('summary', (t) => {
  t.log(`${ran.length} protocol × encoding × transport combinations ran: ${ran.join(', ')}`);
  t.is(ran.length, 15);
});
