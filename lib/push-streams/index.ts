/**
 * The push protocol of the stream transports (WebTransport, raw QUIC): one
 * session per client, each subscription on its own bidirectional stream,
 * length-prefixed protobuf frames (the WebSocket frame codec), close codes
 * shared with WebSocket; a subscription may take its events as datagrams
 * instead (datagrams.ts). Transport adapters supply only a PushStream /
 * connection pair (and their datagrams); the server session and the client
 * are here.
 */
export { type Dial, StreamPushClient } from './client.js';
export { CLOSE, type CloseCode, closeName } from './codes.js';
export {
  type Datagram,
  decodeDatagram,
  encodeEventDatagram,
  encodeMovedDatagram,
} from './datagrams.js';
export {
  CLOSING_TYPE,
  type ClosingFrame,
  encodeStreamFrame,
  FrameReader,
  FrameTooLarge,
  LENGTH_BYTES,
  type PushFrame,
  SENT_TYPE,
  type SentFrame,
} from './frames.js';
export {
  type DatagramStats,
  emptyDatagramStats,
  REORDER_THRESHOLD,
  REORDER_WINDOW_MS,
  Sequencer,
  TAIL_NOTICE_MS,
} from './sequencer.js';
export { PushServerSession } from './server-session.js';
export type {
  CloseInfo,
  PushClientConnection,
  PushServerConnection,
  PushStream,
  ServerDatagrams,
} from './types.js';
export { within } from './within.js';
