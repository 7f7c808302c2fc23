/**
 * The push protocol of the stream transports (WebTransport, raw QUIC): one
 * session per client, each subscription on its own bidirectional stream,
 * length-prefixed protobuf frames (the WebSocket frame codec), close codes
 * shared with WebSocket. Transport adapters supply only a PushStream /
 * connection pair; the server session and the client are here.
 */
export { type Dial, StreamPushClient } from './client.js';
export { CLOSE, type CloseCode, closeName } from './codes.js';
export { encodeStreamFrame, FrameReader, FrameTooLarge, LENGTH_BYTES } from './frames.js';
export { PushServerSession } from './server-session.js';
export type { CloseInfo, PushClientConnection, PushServerConnection, PushStream } from './types.js';
export { within } from './within.js';
