import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Socket } from 'node:net';
import { hostPort } from '../../lib/host-port.js';
import type { ProtocolId, TransportId } from '../../protocols/types.js';
import type { StartOptions, TlsMaterial } from '../types.js';

export type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;
export type RequestListener = (req: NodeRequest, res: NodeResponse) => void;
export type NodeServer = http.Server | https.Server | http2.Http2Server | http2.Http2SecureServer;

interface TransportSpec {
  readonly scheme: 'http' | 'https';
  create(listener: RequestListener, tls: TlsMaterial | undefined): NodeServer;
}

/**
 * The HTTP transports a realtime service can ride on, one line each (as in
 * services/rest). h2 refuses HTTP/1.1 fallback so a run labelled h2 really
 * is h2. Node sets no timeout on an open response; the services bound their
 * long-lived responses themselves (heartbeats, poll timeouts, slow-consumer cut).
 */
const TRANSPORTS: Readonly<Record<Exclude<TransportId, 'h3'>, TransportSpec>> = {
  h1: { scheme: 'http', create: (listener) => http.createServer(h1Options(), listener) },
  h1s: {
    scheme: 'https',
    create: (listener, tls) => https.createServer({ ...h1Options(), ...tlsOptions('h1s', tls) }, listener),
  },
  h2: {
    scheme: 'https',
    create: (listener, tls) =>
      http2.createSecureServer({ ...tlsOptions('h2', tls), allowHTTP1: false }, listener),
  },
  h2c: { scheme: 'http', create: (listener) => http2.createServer(listener) },
};

/** A listening HTTP server with every socket tracked, shared by the WebSocket, SSE and long-poll services. */
export interface HttpHost {
  readonly url: string;
  readonly server: NodeServer;
  /** Destroys every socket (a simulated network failure); returns how many. */
  dropConnections(): number;
  /** Stops accepting, then destroys whatever is still open. Call after ending long-lived responses. */
  close(): Promise<void>;
}

/**
 * Starts `listener` on the transport `options.transport` names, refusing
 * transports outside `allowed` with a message that lists them.
 */
export async function startHttpHost(
  protocol: ProtocolId,
  allowed: readonly TransportId[],
  options: StartOptions,
  listener: RequestListener,
): Promise<HttpHost> {
  const transport = options.transport;
  const spec = transport === 'h3' || !allowed.includes(transport) ? undefined : TRANSPORTS[transport];
  if (!spec) throw new Error(`${protocol}: expected transport ${allowed.join(', ')}, got ${transport}`);
  if (spec.scheme === 'https' && !options.tls) {
    throw new Error(`${protocol}: transport ${transport} needs options.tls (certificate and key), got none`);
  }
  const server = spec.create(listener, options.tls);
  const sockets = new Set<Socket>();
  const sessions = new Set<http2.Http2Session>();
  server.on('connection', (socket: Socket) => {
    // Realtime messages are small and latency-bound: no Nagle delay.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session: http2.Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    // A peer resetting the session is its own problem, never the server's.
    session.on('error', () => {});
  });
  // A malformed request line or TLS handshake only costs that socket.
  server.on('clientError', (_error: Error, socket: Socket) => socket.destroy());
  server.on('tlsClientError', (_error: Error, socket: Socket) => socket.destroy());
  const port = await listen(server, options.host, options.port);
  let closing: Promise<void> | undefined;
  const dropConnections = (): number => {
    const n = sockets.size;
    for (const socket of sockets) socket.destroy();
    for (const session of sessions) session.destroy();
    return n;
  };
  return {
    url: `${spec.scheme}://${hostPort(options.host, port)}`,
    server,
    dropConnections,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        dropConnections();
      });
      return closing;
    },
  };
}

function h1Options(): http.ServerOptions {
  // Idle keep-alive connections outlive any pause between long-polls.
  return { keepAliveTimeout: 65_000 };
}

function tlsOptions(transport: TransportId, tls: TlsMaterial | undefined): { cert: string; key: string } {
  if (!tls) throw new Error(`transport ${transport} needs options.tls (certificate and key), got none`);
  return { cert: tls.certPem, key: tls.keyPem };
}

function listen(server: NodeServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
