/**
 * WebSocket adapter (`ws`, HTTP/1.1 Upgrade on h1 and h1s): subscribe,
 * unsubscribe, publish and chat echo as the frames of frame-types.ts, in JSON
 * text frames or binary protobuf frames.
 */
export { BINARY_TYPES, decodeBinaryFrame, encodeBinaryFrame } from './binary-frames.js';
export {
  type ClientFrame,
  encodingOf,
  type Frame,
  FrameError,
  type FrameType,
  type ServerFrame,
  SUBPROTOCOLS,
  WS_PATH,
} from './frame-types.js';
export { asClientFrame, asServerFrame, decodeFrame, encodeFrame } from './frames.js';
export { decodeJsonFrame, encodeJsonFrame } from './json-frames.js';
export { start, startWebSocket, WEBSOCKET_TRANSPORTS } from './server.js';
