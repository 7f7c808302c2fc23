import { type ChannelCredentials, type ChannelOptions, credentials } from '@grpc/grpc-js';
import type { ClientOptions } from '../types.js';

/**
 * Channel options for measuring, not for production: retries would hide
 * failures and add buffering, keepalive pings add traffic on emulated links,
 * channelz adds per-call bookkeeping, and a local subchannel pool gives every
 * client object its own connection (grpc-js otherwise shares one connection
 * among all clients to the same target, which would silently multiplex
 * "separate" connections onto a single TCP socket).
 */
export const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.enable_retries': 0,
  'grpc.keepalive_time_ms': -1,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.use_local_subchannel_pool': 1,
  'grpc.enable_channelz': 0,
};

/** grpc-js needs HTTP/2: cleartext with prior knowledge (h2c) or TLS trusting only the run's CA (h2). */
export function channelCredentials(options: ClientOptions): ChannelCredentials {
  if (options.transport === 'h2c') return credentials.createInsecure();
  if (options.transport !== 'h2') {
    throw new Error(`grpc: expected transport h2, h2c or h3, got ${options.transport}`);
  }
  if (!options.caPem) throw new Error('grpc: transport h2 needs options.caPem (the run CA), got none');
  return credentials.createSsl(Buffer.from(options.caPem));
}
