// The smallest DER reader that the certificate code needs: one TLV at a time, the children of a
// constructed element, and OIDs in dotted form. Shared by certstore/der.ts (names and key usages)
// and strength.ts (signature algorithms and key sizes), which read what node:crypto's
// X509Certificate does not expose. Malformed input throws DerError, which callers turn into
// their own answer (an argument error, or "not judged").

export class DerError extends RangeError {}

export interface Tlv {
  tag: number;
  /** Offset of the value's first byte. */
  start: number;
  /** Offset just past the value. */
  end: number;
  /** Offset of the tag byte (the whole element is bytes.subarray(offset, end)). */
  offset: number;
}

export const SEQUENCE = 0x30;
export const OID = 0x06;

export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv {
  if (offset + 2 > limit) throw new DerError('DER: truncated element');
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('DER: multi-byte tags are not supported');
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new DerError('DER: bad length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new DerError('DER: element runs past its container');
  return { tag, start, end, offset };
}

/** readTlv, or null where the bytes are not DER. */
export function tryReadTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv | null {
  try {
    return readTlv(bytes, offset, limit);
  } catch (error) {
    if (error instanceof DerError) return null;
    throw error;
  }
}

export function childrenOf(bytes: Uint8Array, parent: Tlv): Tlv[] {
  const list: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = readTlv(bytes, at, parent.end);
    list.push(child);
    at = child.end;
  }
  return list;
}

/** The dotted form of an OID's content bytes. */
export function decodeOid(bytes: Uint8Array): string {
  const parts: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    }
  }
  return parts.join('.');
}
