import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * Compression settings, stated with every figure: gzip at zlib's default
 * level; brotli at quality 4, a typical on-the-fly server setting (nginx and
 * most CDNs compress dynamic responses at 4–6), and at 11, its maximum, as
 * for precompressed static files.
 */
export const COMPRESSION = { gzipLevel: 6, brotliQuality: 4, brotliMaxQuality: 11 } as const;

export interface Sizes {
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly brotliBytes: number;
  /** Null when not computed: quality 11 costs seconds per megabyte. */
  readonly brotliMaxBytes: number | null;
}

/**
 * Encoded size raw and compressed. Runs on the libuv thread pool, so callers
 * can size every payload at once before any timing starts.
 */
export async function measureSizes(bytes: Uint8Array, brotliMax: boolean): Promise<Sizes> {
  const [gzipped, brotli, brotliMaxed] = await Promise.all([
    gzipAsync(bytes, { level: COMPRESSION.gzipLevel }),
    brotliAt(bytes, COMPRESSION.brotliQuality),
    brotliMax ? brotliAt(bytes, COMPRESSION.brotliMaxQuality) : undefined,
  ]);
  return {
    bytes: bytes.byteLength,
    gzipBytes: gzipped.byteLength,
    brotliBytes: brotli.byteLength,
    brotliMaxBytes: brotliMaxed?.byteLength ?? null,
  };
}

function brotliAt(bytes: Uint8Array, quality: number): Promise<Buffer> {
  return brotliAsync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
    },
  });
}
