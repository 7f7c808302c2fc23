import { createClient as createConnectClient } from '../clients/connect/index.js';
import { createClient as createGraphqlClient } from '../clients/graphql/index.js';
import { createClient as createGrpcClient } from '../clients/grpc/index.js';
import { createClient as createGrpcWebClient } from '../clients/grpc-web/index.js';
import { createClient as createRestClient } from '../clients/rest/index.js';
import type { ClientOptions, CreateClient } from '../clients/types.js';
import { startConnect } from '../services/connect/index.js';
import { startGraphql } from '../services/graphql/index.js';
import { start as startGrpc } from '../services/grpc/index.js';
import { startGrpcWeb } from '../services/grpc-web/index.js';
import { start as startRest } from '../services/rest/index.js';
import type { StartServer } from '../services/types.js';
import type { EncodingId, MethodKind, ProtocolId, TransportId } from './types.js';

/** A named client configuration, reported as the cell's `variant`. */
export interface ClientVariant {
  readonly name: string;
  readonly options: Pick<ClientOptions, 'graphql'>;
  readonly scenarios?: readonly string[];
}

/** A combination the protocol cannot carry, and why — reported as `skipped` with this reason. */
export interface Unsupported {
  readonly transport?: TransportId;
  readonly methodKind?: MethodKind;
  readonly reason: string;
}

/**
 * What one protocol offers. The bench, `npm run services` and the
 * conformance tests read only this; none of them names a protocol. Adding a
 * protocol is one folder on each side plus one entry here.
 */
export interface ProtocolEntry {
  readonly id: ProtocolId;
  readonly summary: string;
  /** Transports implemented, in preference order (the first is the default). */
  readonly transports: readonly TransportId[];
  readonly methodKinds: readonly MethodKind[];
  /** Encodings the client can speak; the first is the default. */
  readonly encodings: readonly EncodingId[];
  readonly unsupported: readonly Unsupported[];
  /**
   * Client configurations worth comparing on their own (GraphQL with and without DataLoader). The
   * first is the default and runs in every scenario; the others only in the scenarios they name.
   */
  readonly variants?: readonly ClientVariant[];
  readonly start: StartServer;
  readonly createClient: CreateClient;
}

/** connect-es answers bidi over HTTP/1.1 with 505: a full-duplex stream needs HTTP/2 or HTTP/3. */
const HTTP1_NO_BIDI: readonly Unsupported[] = (['h1', 'h1s'] as const).map((transport) => ({
  transport,
  methodKind: 'bidi_streaming' as const,
  reason: 'bidi streaming needs HTTP/2 or HTTP/3 full duplex (connect-es answers 505 on HTTP/1.1)',
}));

export const REGISTRY: readonly ProtocolEntry[] = [
  {
    id: 'rest',
    summary: 'REST/JSON resources (protobuf JSON bodies, NDJSON streams) — schemas/rest-binding.ts',
    transports: ['h1', 'h1s', 'h2c', 'h2', 'h3'],
    methodKinds: ['unary', 'server_streaming', 'client_streaming'],
    encodings: ['json'],
    unsupported: [
      { methodKind: 'bidi_streaming', reason: 'REST has no bidirectional call; use WebSocket or gRPC' },
    ],
    start: startRest,
    createClient: createRestClient,
  },
  {
    id: 'graphql',
    summary:
      'GraphQL (graphql-yoga over schemas/graphql/schema.graphql), per-request DataLoader, subscriptions over SSE',
    transports: ['h1', 'h1s', 'h2c', 'h2', 'h3'],
    // client_streaming: the inputs are buffered into one importPosts mutation (GraphQL has no upload stream).
    methodKinds: ['unary', 'server_streaming', 'client_streaming'],
    encodings: ['json'],
    variants: [
      { name: 'dataloader', options: { graphql: { dataloader: true } } },
      { name: 'no-dataloader', options: { graphql: { dataloader: false } }, scenarios: ['nested'] },
    ],
    unsupported: [
      {
        methodKind: 'bidi_streaming',
        reason: 'GraphQL has no client-to-server stream; Chat has no operation in the SDL',
      },
    ],
    start: startGraphql,
    createClient: createGraphqlClient,
  },
  {
    id: 'grpc',
    summary:
      'gRPC, driven by the .proto through protobuf-es descriptors: @grpc/grpc-js on h2c/h2; connect-es (gRPC protocol only) on h3, as grpc-js has no HTTP/3',
    transports: ['h2c', 'h2', 'h3'],
    methodKinds: ['unary', 'server_streaming', 'client_streaming', 'bidi_streaming'],
    encodings: ['proto'],
    unsupported: [
      { transport: 'h1', reason: 'gRPC requires HTTP/2 (trailers, full duplex)' },
      { transport: 'h1s', reason: 'gRPC requires HTTP/2 (trailers, full duplex)' },
    ],
    start: startGrpc,
    createClient: createGrpcClient,
  },
  {
    id: 'grpc-web',
    summary: 'gRPC-Web (connect-es): gRPC framing with the status in a body trailer frame, for browsers',
    transports: ['h1', 'h1s', 'h2c', 'h2', 'h3'],
    methodKinds: ['unary', 'server_streaming', 'client_streaming', 'bidi_streaming'],
    encodings: ['proto', 'json'],
    unsupported: HTTP1_NO_BIDI,
    start: startGrpcWeb,
    createClient: createGrpcWebClient,
  },
  {
    id: 'connect',
    summary: 'Connect protocol (connect-es), JSON or binary protobuf',
    transports: ['h1', 'h1s', 'h2c', 'h2', 'h3'],
    methodKinds: ['unary', 'server_streaming', 'client_streaming', 'bidi_streaming'],
    encodings: ['json', 'proto'],
    unsupported: HTTP1_NO_BIDI,
    start: startConnect,
    createClient: createConnectClient,
  },
];

/** The entry for a protocol, or undefined when no adapter exists yet. */
export function findProtocol(id: ProtocolId): ProtocolEntry | undefined {
  return REGISTRY.find((entry) => entry.id === id);
}

/** Why `entry` cannot run `methodKind` over `transport`, or undefined when it can. */
export function unsupportedReason(
  entry: ProtocolEntry,
  transport: TransportId,
  methodKind?: MethodKind,
): string | undefined {
  const listed = entry.unsupported.find(
    (u) =>
      (u.transport ?? transport) === transport && (u.methodKind === undefined || u.methodKind === methodKind),
  );
  if (listed) return listed.reason;
  if (!entry.transports.includes(transport)) {
    return `${entry.id} over ${transport}: expected one of ${entry.transports.join(', ')} (not implemented yet)`;
  }
  if (methodKind && !entry.methodKinds.includes(methodKind)) {
    return `${entry.id}: ${methodKind} is not offered`;
  }
  return undefined;
}

/** The variant by name, or undefined (no variants, or the default). */
export function findVariant(entry: ProtocolEntry, name: string | undefined): ClientVariant | undefined {
  return name === undefined ? undefined : entry.variants?.find((v) => v.name === name);
}
