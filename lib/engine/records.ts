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
