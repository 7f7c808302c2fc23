import type { EncodingId, ProtocolId, TransportId } from '../protocols/types.js';
import type { FeedCore } from './core/index.js';

/** TLS material for a run: a CA the clients trust explicitly and a server certificate it signed. */
export interface TlsMaterial {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface StartOptions {
  readonly host: string;
  /** 0 picks a free port; tests always use 0. */
  readonly port: number;
  readonly transport: TransportId;
  /** Required for TLS transports (h1s, h2, h3). */
  readonly tls?: TlsMaterial;
  /** Request bodies larger than this are refused (413 / RESOURCE_EXHAUSTED). */
  readonly maxBodyBytes?: number;
}

/** A listening service. `close()` stops accepting, lets in-flight calls finish, then frees every socket. */
export interface ServerHandle {
  readonly protocol: ProtocolId;
  readonly transport: TransportId;
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Every protocol's `services/<protocol>/index.ts` exports one of these as `start`. */
export type StartServer = (core: FeedCore, options: StartOptions) => Promise<ServerHandle>;

/** Default cap on request bodies: large enough for any valid request, small enough to refuse abuse. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export type { EncodingId };
