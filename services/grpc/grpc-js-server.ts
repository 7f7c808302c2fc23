import net, { type Socket } from 'node:net';
import type { DescService } from '@bufbuild/protobuf';
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { hostPort } from '../../lib/host-port.js';
import { FeedService, TopicService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import type { FeedCore } from '../core/index.js';
import { OpenSet } from '../realtime/open-set.js';
import { type RealtimeServerHandle, type RealtimeStartOptions, resolveLimits } from '../realtime/types.js';
import { DEFAULT_MAX_BODY_BYTES, type StartOptions } from '../types.js';
import { type CoreMethod, makeHandler } from './handlers.js';
import { serverServiceDefinition } from './service-definition.js';
import { topicImplementation } from './topic-handlers.js';

/** Transports grpc-js serves: HTTP/2 only, cleartext with prior knowledge or over TLS. */
export const GRPC_JS_TRANSPORTS = ['h2c', 'h2'] as const;

/** How long `close()` lets in-flight calls finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 5000;

/**
 * FeedService and TopicService on grpc-js, driven by the protobuf-es
 * descriptors of the one `.proto`. Request messages above `maxBodyBytes` are
 * refused by grpc-js itself with RESOURCE_EXHAUSTED.
 *
 * The TCP listener is ours, not grpc-js's: each accepted socket is handed to
 * grpc-js through its public connection injector
 * (`Server.createConnectionInjector`, which runs the same HTTP/2 and TLS
 * server code as `bindAsync`). grpc-js exposes no socket or session, and
 * channelz costs per call; owning the sockets is what lets `dropConnections()`
 * cut them as a network failure would. `connections()` counts open Subscribe
 * streams — the logical connections of a push service, as open SSE streams
 * are for SSE — so a cancelled subscription shows as soon as it is freed.
 */
export async function startGrpcJs(
  core: FeedCore,
  options: RealtimeStartOptions,
): Promise<RealtimeServerHandle> {
  const credentials = serverCredentials(options);
  const limits = resolveLimits(options);
  const server = new Server({
    'grpc.max_receive_message_length': options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    // Channelz bookkeeping costs per call and nobody reads it here.
    'grpc.enable_channelz': 0,
    // A client that vanished without a FIN would hold its Subscribe streams forever: PING every
    // heartbeat (as SSE sends a comment and WebSocket a ping), unanswered for as long → session closed.
    'grpc.keepalive_time_ms': limits.heartbeatMs,
    'grpc.keepalive_timeout_ms': limits.heartbeatMs,
  });
  const streams = new OpenSet();
  server.addService(serverServiceDefinition(FeedService), feedImplementation(core, FeedService));
  server.addService(
    serverServiceDefinition(TopicService, { sharedResponses: true }),
    topicImplementation(core, streams, limits),
  );
  const injector = server.createConnectionInjector(credentials);
  const sockets = new Set<Socket>();
  const listener = net.createServer((socket) => {
    // Push messages are small and latency-bound: no Nagle delay (grpc-js sets none on injected sockets).
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    injector.injectConnection(socket);
  });
  const port = await listen(listener, options.host, options.port);
  const dropConnections = (): number => {
    const n = sockets.size;
    for (const socket of sockets) socket.destroy();
    return n;
  };
  let closing: Promise<void> | undefined;
  return {
    protocol: 'grpc',
    transport: options.transport,
    url: `${options.transport === 'h2' ? 'https' : 'http'}://${hostPort(options.host, port)}`,
    connections: () => streams.size,
    dropConnections,
    close: () => {
      closing ??= (async () => {
        // Subscriptions never end by themselves: end them first, so the graceful drain is quick.
        streams.closeAll();
        listener.close();
        await shutdown(server);
        injector.destroy();
        dropConnections();
      })();
      return closing;
    },
  };
}

/** grpc-js runs over HTTP/2 only; anything else is a configuration mistake, said plainly. */
function serverCredentials(options: StartOptions): ServerCredentials {
  if (options.transport === 'h2c') return ServerCredentials.createInsecure();
  if (options.transport !== 'h2') {
    throw new Error(`grpc: expected transport h2, h2c or h3, got ${options.transport}`);
  }
  if (!options.tls) throw new Error('grpc: transport h2 needs options.tls (certificate and key), got none');
  const { certPem, keyPem } = options.tls;
  return ServerCredentials.createSsl(
    null,
    [{ cert_chain: Buffer.from(certPem), private_key: Buffer.from(keyPem) }],
    false,
  );
}

/**
 * One handler per descriptor method, each delegating to the FeedCore method
 * with the same `localName`. A method the core lacks fails at start, not at
 * the first call.
 */
function feedImplementation(core: FeedCore, service: DescService): UntypedServiceImplementation {
  const methods = core as unknown as Record<string, unknown>;
  const impl: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const fn = methods[method.localName];
    if (typeof fn !== 'function') {
      throw new Error(
        `grpc: expected FeedCore.${method.localName} for ${service.typeName}.${method.name}, got none`,
      );
    }
    impl[method.localName] = makeHandler(method, (fn as CoreMethod).bind(core));
  }
  return impl;
}

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Graceful first (in-flight calls finish, connections get GOAWAY), then forced
 * after a grace period, so `close()` always settles and leaves no open handle.
 */
function shutdown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
