// TLS record framing, read only: enough to tell where records end and what type they are, so the
// engine can hand DecryptMessage whole records and recognise an alert. Schannel does the crypto.

export const RecordType = {
  CHANGE_CIPHER_SPEC: 0x14,
  ALERT: 0x15,
  HANDSHAKE: 0x16,
  APPLICATION_DATA: 0x17,
} as const;

export const RECORD_HEADER_LENGTH = 5;
/** The largest TLSCiphertext a peer may send: 2^14 + 2048 (TLS 1.2), plus the header. */
export const MAX_RECORD_LENGTH = RECORD_HEADER_LENGTH + 16384 + 2048;

export interface RecordHeader {
  type: number;
  version: number;
  length: number;
}

export function readRecordHeader(data: Uint8Array, offset = 0): RecordHeader | null {
  if (data.length - offset < RECORD_HEADER_LENGTH) return null;
  return {
    type: data[offset],
    version: (data[offset + 1] << 8) | data[offset + 2],
    length: (data[offset + 3] << 8) | data[offset + 4],
  };
}

/** Splits a buffer into complete records; `rest` is an incomplete tail (possibly empty). */
export function splitRecords(data: Uint8Array): { records: Uint8Array[]; rest: Uint8Array } {
  const records: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    const header = readRecordHeader(data, offset);
    if (!header || data.length - offset < RECORD_HEADER_LENGTH + header.length) break;
    records.push(data.subarray(offset, offset + RECORD_HEADER_LENGTH + header.length));
    offset += RECORD_HEADER_LENGTH + header.length;
  }
  return { records, rest: data.subarray(offset) };
}

const HANDSHAKE_SERVER_HELLO = 2;

/**
 * The cipher suite a ServerHello names, read from the plaintext handshake records at the start of
 * `data` (a server's first flight), or null when they hold no complete ServerHello. Wine's Schannel
 * reports no suite number and a made-up suite name in SECPKG_ATTR_CIPHER_INFO, so the engine keeps
 * what the wire said.
 */
export function serverHelloCipherSuite(data: Uint8Array): number | null {
  // The handshake message may span records: join the payloads of the leading handshake records.
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (let i = 0; i < 4; i++) {
    const header = readRecordHeader(data, offset);
    if (!header || header.type !== RecordType.HANDSHAKE) break;
    const end = Math.min(data.length, offset + RECORD_HEADER_LENGTH + header.length);
    payloads.push(data.subarray(offset + RECORD_HEADER_LENGTH, end));
    offset = end;
  }
  const hello = Buffer.concat(payloads);
  // msg_type(1) length(3) legacy_version(2) random(32) session_id<0..32> cipher_suite(2)
  if (hello.length < 39 || hello[0] !== HANDSHAKE_SERVER_HELLO) return null;
  const sessionIdLength = hello[38];
  const suiteAt = 39 + sessionIdLength;
  if (sessionIdLength > 32 || hello.length < suiteAt + 2) return null;
  return (hello[suiteAt] << 8) | hello[suiteAt + 1];
}
