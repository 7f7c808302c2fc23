import { dialQuic } from '../../clients/quic/index.js';
import { datagramSuite } from '../webtransport/datagram-suite.js';
import { streamPushSuite } from '../webtransport/suite.js';

/** Raw QUIC: volume on one connection, a vanished client (idle timeout), raw garbage on a stream. */
streamPushSuite('quic', (url, caPem) => dialQuic({ url, caPem, transport: 'h3', encoding: 'proto' }));

/** Raw QUIC with QUIC DATAGRAM frames (RFC 9221). */
datagramSuite('quic', (url, caPem, datagrams) =>
  dialQuic({ url, caPem, transport: 'h3', encoding: 'proto', delivery: datagrams ? 'datagrams' : 'streams' }),
);
