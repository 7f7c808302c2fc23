import type { RealtimeCases } from '../types.js';
import { PUBLISH_CASES } from './publish.js';

/** Long-polling: the publish channel's cases plus refusals on the poll route's parameters. */
export const LONG_POLL_CASES: RealtimeCases = {
  http: [
    ...PUBLISH_CASES,
    {
      name: 'an after= cursor that is not a sequence number',
      request: { method: 'GET', path: '/poll/malformed?after=-1&timeout=0' },
      expect: { status: 400, errorCode: 'INVALID_ARGUMENT' },
    },
    {
      name: 'a timeout= that is not a number',
      request: { method: 'GET', path: '/poll/malformed?timeout=soon' },
      expect: { status: 400, errorCode: 'INVALID_ARGUMENT' },
    },
    {
      name: 'a timeout= above the server maximum',
      request: { method: 'GET', path: '/poll/malformed?timeout=999999999' },
      expect: { status: 400, errorCode: 'INVALID_ARGUMENT' },
    },
    {
      name: 'DELETE on the poll route',
      request: { method: 'DELETE', path: '/poll/malformed' },
      expect: { status: 405, errorCode: 'UNIMPLEMENTED' },
    },
  ],
};
