import { dialQuic } from '../../clients/quic/index.js';
import { streamPushSuite } from '../webtransport/suite.js';

/** Raw QUIC: volume on one connection, a vanished client (idle timeout), raw garbage on a stream. */
streamPushSuite('quic', (url, caPem) => dialQuic({ url, caPem, transport: 'h3', encoding: 'proto' }));
