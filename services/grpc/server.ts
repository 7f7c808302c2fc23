import type { DescService } from '@bufbuild/protobuf';
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { FeedService } from '../../schemas/gen/wirebench/v1/feed_pb.js';
import { GRPC_SERVER, startRpcServer } from '../connect-common/index.js';
import type { FeedCore } from '../core/index.js';
import { DEFAULT_MAX_BODY_BYTES, type ServerHandle, type StartOptions, type StartServer } from '../types.js';
import { type CoreMethod, makeHandler } from './handlers.js';
import { serverServiceDefinition } from './service-definition.js';

/** How long `close()` lets in-flight calls finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 5000;

/**
 * Starts FeedService over gRPC, driven by the protobuf-es descriptors of the
 * one `.proto`. `h2c` (cleartext) and `h2` (the run's TLS material) run on
 * grpc-js; request messages above `maxBodyBytes` are refused by grpc-js
 * itself with RESOURCE_EXHAUSTED. `h3` runs on connect-es instead, with only
 * its gRPC protocol switched on (services/connect-common over lib/http3):
 * grpc-js has no HTTP/3. Same routes over the same core, so the answers are
 * the same; connect-es enforces `maxBodyBytes` per message, as grpc-js does.
 */
export const start: StartServer = async (core, options) => {
  if (options.transport === 'h3') return startRpcServer(core, options, GRPC_SERVER);
  const credentials = serverCredentials(options);
  const server = new Server({
    'grpc.max_receive_message_length': options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    // Channelz bookkeeping costs per call and nobody reads it here.
    'grpc.enable_channelz': 0,
  });
  server.addService(serverServiceDefinition(FeedService), implementation(core, FeedService));
  const port = await bind(server, hostPort(options.host, options.port), credentials);
  let closing: Promise<void> | undefined;
  const handle: ServerHandle = {
    protocol: 'grpc',
    transport: options.transport,
    url: `${options.transport === 'h2' ? 'https' : 'http'}://${hostPort(options.host, port)}`,
    close: () => {
      closing ??= shutdown(server);
      return closing;
    },
  };
  return handle;
};

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
function implementation(core: FeedCore, service: DescService): UntypedServiceImplementation {
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

/** IPv6 literals need brackets in both the bind address and the URL. */
function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port)));
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
