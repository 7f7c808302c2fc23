/**
 * Socket.IO adapter (socket.io 4 on h1 and h1s, long-polling and WebSocket
 * transports): subscribe with resume, unsubscribe, publish and chat echo as
 * Socket.IO events with acknowledgements (protocol.ts).
 */
export { fanOutParser } from './encoder.js';
export {
  CLIENT_EVENTS,
  chatMessageOf,
  eventObject,
  feedEventOf,
  SIO_EVENTS,
  SioProtocolError,
  SOCKETIO_PATH,
  type SubscribedReply,
  subscribedOf,
  type WireError,
  wireErrorOf,
} from './protocol.js';
export {
  type EngineTransport,
  SOCKETIO_TRANSPORTS,
  type SocketIoServerHandle,
  start,
  startSocketIo,
} from './server.js';
