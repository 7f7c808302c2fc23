/**
 * gRPC-Web adapter (connect-es): `start` serves FeedService from the one
 * `.proto`, every method delegating to FeedCore; the fetch handler is the
 * same service without a socket.
 */
export { createGrpcWebFetchHandler, start, startGrpcWeb } from './server.js';
