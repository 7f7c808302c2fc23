import type { RealtimeCases } from '../types.js';
import { PUBLISH_CASES } from './publish.js';

/** SSE: the publish channel's cases plus refusals on the event-stream route itself. */
export const SSE_CASES: RealtimeCases = {
  http: [
    ...PUBLISH_CASES,
    {
      name: 'a Last-Event-ID that is not a sequence number',
      request: {
        method: 'GET',
        path: '/events/malformed',
        headers: { accept: 'text/event-stream', 'last-event-id': 'yesterday' },
      },
      expect: { status: 400, errorCode: 'INVALID_ARGUMENT' },
    },
    {
      name: 'POST on the event-stream route',
      request: {
        method: 'POST',
        path: '/events/malformed',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      expect: { status: 405, errorCode: 'UNIMPLEMENTED' },
    },
  ],
};
