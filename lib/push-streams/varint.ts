/**
 * Unsigned LEB128 varints (QUIC-free, protobuf-style) for the few bytes of
 * datagram headers and `sent` frames. Hand-written, a few lines: protobuf's
 * BinaryWriter would allocate a writer per datagram on the fan-out path.
 */
export function varintLength(value: number | bigint): number {
  let n = 1;
  for (let v = BigInt(value) >> 7n; v > 0n; v >>= 7n) n++;
  return n;
}

/** Writes `value` at `offset`; returns the offset after it. */
export function writeVarint(out: Uint8Array, offset: number, value: bigint): number {
  let v = value;
  let at = offset;
  while (v >= 0x80n) {
    out[at++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[at++] = Number(v);
  return at;
}

/** The varint at `offset` and the offset after it; undefined when truncated or over 64 bits. */
export function readVarint(bytes: Uint8Array, offset: number): { value: bigint; next: number } | undefined {
  let value = 0n;
  let shift = 0n;
  for (let at = offset; at < bytes.byteLength && shift < 64n; at++) {
    const byte = bytes[at] as number;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: at + 1 };
    shift += 7n;
  }
  return undefined;
}
