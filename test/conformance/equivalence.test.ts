import test from 'ava';
import { findProtocol, unsupportedReason } from '../../protocols/registry.js';
import { DATASET_PRESETS, FeedCore } from '../../services/core/index.js';
import { CHECKS, compare } from './operation-suite.js';

const newCore = () =>
  new FeedCore({ seed: 1, preset: DATASET_PRESETS.small, nowMs: () => 1_767_225_600_000 });

/**
 * REST and gRPC side by side: every operation both expose returns the same
 * domain values, compared directly (not only each against the core).
 */
test('REST (h1, JSON) and gRPC (h2c, protobuf) return the same domain values for every shared operation', async (t) => {
  const rest = findProtocol('rest');
  const grpc = findProtocol('grpc');
  if (!rest || !grpc) throw new Error('registry: expected rest and grpc entries');
  const restServer = await rest.start(newCore(), { host: '127.0.0.1', port: 0, transport: 'h1' });
  const grpcServer = await grpc.start(newCore(), { host: '127.0.0.1', port: 0, transport: 'h2c' });
  const restClient = rest.createClient({ url: restServer.url, transport: 'h1', encoding: 'json' });
  const grpcClient = grpc.createClient({ url: grpcServer.url, transport: 'h2c', encoding: 'proto' });
  let shared = 0;
  try {
    for (const check of CHECKS) {
      if (unsupportedReason(rest, 'h1', check.kind) || unsupportedReason(grpc, 'h2c', check.kind)) continue;
      const viaRest = await check.run(restClient, newCore());
      const viaGrpc = await check.run(grpcClient, newCore());
      t.is(compare(viaRest.schema, viaRest.got, viaGrpc.got), undefined, check.name);
      shared++;
    }
    t.true(shared >= 8, `expected at least 8 shared operations, got ${shared}`);
  } finally {
    await Promise.all([restClient.close(), grpcClient.close()]);
    await Promise.all([restServer.close(), grpcServer.close()]);
  }
});
