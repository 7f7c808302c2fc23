import { dialWebTransport } from '../../clients/webtransport/index.js';
import { datagramSuite } from './datagram-suite.js';
import { streamPushSuite } from './suite.js';

/** WebTransport over HTTP/2: volume on one session, a vanished client, raw garbage on a stream. */
streamPushSuite('webtransport', (url, caPem) =>
  dialWebTransport({ url, caPem, transport: 'h2', encoding: 'proto' }),
);

/** WebTransport datagrams (over HTTP/2: DATAGRAM capsules). */
datagramSuite('webtransport', (url, caPem, datagrams) =>
  dialWebTransport({
    url,
    caPem,
    transport: 'h2',
    encoding: 'proto',
    delivery: datagrams ? 'datagrams' : 'streams',
  }),
);
