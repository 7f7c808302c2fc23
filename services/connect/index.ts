/**
 * Connect protocol adapter (connect-es): `start` serves FeedService from the
 * one `.proto`, every method delegating to FeedCore; the fetch handler is the
 * same service without a socket.
 */
export { createConnectFetchHandler, start, startConnect } from './server.js';
