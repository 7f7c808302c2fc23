import type { RealtimeCases } from '../types.js';

const POLLING = '/socket.io/?EIO=4&transport=polling';

/**
 * Socket.IO (socket.io over engine.io): what engine.io refuses before a
 * session exists answers 400 with its own JSON `{code, message}` (engine.io's
 * error codes: 0 unknown transport, 1 unknown session id, 2 bad handshake
 * method, 3 bad request, 5 unsupported protocol version); other paths get
 * the adapter's JSON 404.
 */
export const SOCKETIO_CASES: RealtimeCases = {
  http: [
    {
      name: 'an unknown engine.io transport',
      request: { method: 'GET', path: '/socket.io/?EIO=4&transport=carrier-pigeon' },
      expect: { status: 400, jsonBody: { code: 0, message: 'Transport unknown' } },
    },
    {
      name: 'a poll for a session id that does not exist',
      request: {
        method: 'POST',
        path: `${POLLING}&sid=nope`,
        headers: { 'content-type': 'text/plain' },
        body: '40',
      },
      expect: { status: 400, jsonBody: { code: 1, message: 'Session ID unknown' } },
    },
    {
      name: 'a handshake with the wrong method',
      request: { method: 'PUT', path: POLLING },
      expect: { status: 400, jsonBody: { code: 2, message: 'Bad handshake method' } },
    },
    {
      name: 'a websocket handshake without the Upgrade',
      request: { method: 'GET', path: '/socket.io/?EIO=4&transport=websocket' },
      expect: { status: 400, jsonBody: { code: 3, message: 'Bad request' } },
    },
    {
      name: 'an unsupported engine.io protocol version',
      request: { method: 'GET', path: '/socket.io/?EIO=9&transport=polling' },
      expect: { status: 400, jsonBody: { code: 5, message: 'Unsupported protocol version' } },
    },
    {
      name: 'a path outside /socket.io/',
      request: {
        method: 'POST',
        path: '/publish/malformed',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      expect: { status: 404, errorCode: 'NOT_FOUND' },
    },
  ],
};
