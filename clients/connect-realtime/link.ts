import http from 'node:http';
import type { UniversalClientFn } from '@connectrpc/connect/protocol';
import { createNodeHttpClient, Http2SessionManager } from '@connectrpc/connect-node';
import { isMultiplexed, isTlsTransport } from '../../protocols/types.js';
import { NoDelayHttpsAgent } from '../connect-common/http-link.js';
import { ClientError } from '../errors.js';
import type { ClientOptions } from '../types.js';

/** The HTTP a push client on connect-es rides on, with what the RealtimeClient interface reports. */
export interface PushLink {
  readonly httpClient: UniversalClientFn;
  connect(): Promise<void>;
  /** TCP connections (HTTP/1.1) or the session (HTTP/2) open now. */
  connectionCount(): number;
  close(): void;
}

/**
 * Unlike the request/response link (clients/connect-common/http-link.ts,
 * a fixed pool opened up front), a push client over HTTP/1.1 needs one
 * socket per open stream plus one for publishing, as an SSE client does: a
 * keep-alive agent with no socket cap, sockets opened on demand. HTTP/2
 * multiplexes everything on one session. TLS trusts only the run's CA.
 */
export function openPushLink(name: string, options: ClientOptions): PushLink {
  const tls = isTlsTransport(options.transport);
  if (tls && !options.caPem) {
    throw new Error(`${name}: transport ${options.transport} needs options.caPem (the run CA), got none`);
  }
  const origin = new URL(options.url).origin;
  if (isMultiplexed(options.transport)) {
    // No PINGs (they would add traffic on emulated links); idle sessions close after an hour.
    const session = new Http2SessionManager(
      origin,
      { idleConnectionTimeoutMs: 3_600_000 },
      options.caPem ? { ca: options.caPem } : {},
    );
    return {
      httpClient: createNodeHttpClient({ httpVersion: '2', sessionProvider: () => session }),
      connect: async () => {
        if ((await session.connect()) === 'error') {
          throw new ClientError(
            'UNAVAILABLE',
            `${name}: could not connect to ${origin}: ${String(session.error())}`,
          );
        }
      },
      connectionCount: () => (['open', 'idle', 'verifying'].includes(session.state()) ? 1 : 0),
      close: () => session.abort(),
    };
  }
  const pool = { keepAlive: true, maxSockets: Number.POSITIVE_INFINITY };
  const agent = tls ? new NoDelayHttpsAgent({ ...pool, ca: options.caPem }) : new http.Agent(pool);
  return {
    httpClient: createNodeHttpClient({ httpVersion: '1.1', nodeOptions: { agent } }),
    connect: async () => {},
    connectionCount: () => {
      let n = 0;
      for (const list of [agent.sockets, agent.freeSockets]) {
        for (const sockets of Object.values(list)) n += sockets?.length ?? 0;
      }
      return n;
    },
    close: () => agent.destroy(),
  };
}
