/** Hand-built IPv4 packets for emulator tests (checksums are not needed: nothing here verifies them). */
export function ipv4(proto: 6 | 17, srcPort: number, dstPort: number, payloadBytes: number, tag = 0): Buffer {
  const l4 = proto === 6 ? 20 : 8;
  const p = Buffer.alloc(20 + l4 + payloadBytes);
  p[0] = 0x45;
  p.writeUInt16BE(p.length, 2);
  p[8] = 64;
  p[9] = proto;
  p.set([10, 87, 66, 2], 12);
  p.set([10, 87, 66, 1], 16);
  p.writeUInt16BE(srcPort, 20);
  p.writeUInt16BE(dstPort, 22);
  if (proto === 6) p[20 + 12] = 5 << 4;
  else p.writeUInt16BE(8 + payloadBytes, 24);
  if (payloadBytes >= 4) p.writeUInt32BE(tag, 20 + l4);
  return p;
}

/** The tag written by {@link ipv4} into the first payload bytes. */
export function tagOf(p: Buffer): number {
  const l4 = p[9] === 6 ? 20 : 8;
  return p.readUInt32BE(20 + l4);
}
