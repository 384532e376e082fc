// EncryptMessage / DecryptMessage in stream mode.
import { native } from '../native';
import type { NativeContext } from '../native';
import { queryContextAttributes } from './attributes';
import { failure } from './check';
import { invalidArgValue, outOfRange } from './errors';
import { traceCall } from './trace';
import { nativeContext, type SecurityContext } from './handles';
import { SecStatus, statusName } from './status';
import { validateBufferLike, validateInt32, validateUint32 } from './validate';

// The numbers each record call produces, shared with the addon (src-native/napi/handle_objects.h,
// MessageSlot): reading them costs nothing, where a result object per call cost more than the
// decryption of a small record.
const SLOT_WRITTEN = 0;
const SLOT_NEEDED = 1;
const SLOT_PLAINTEXT = 2;
const SLOT_RECORDS = 3;
const SLOT_CONSUMED = 4;
const SLOT_MISSING = 5;
const SLOT_FLAGS = 6;
const SLOT_POST_HANDSHAKE = 7;
const FLAG_CLOSE_NOTIFY = 1;
const FLAG_RENEGOTIATE = 4;

let slotArray: Float64Array | null = null;
function slots(): Float64Array {
  slotArray ??= native().messageResults;
  return slotArray;
}

const SEC_E_BUFFER_TOO_SMALL = 0x80090321;
const SEC_E_INVALID_PARAMETER = 0x8009035d;

/** Stream sizes per context, until its next handshake call (renegotiation may change them). */
const streamSizes = new WeakMap<NativeContext, { maximumMessage: number; overhead: number }>();

/** Called by the handshake functions: the context's record sizes may have changed. */
export function forgetStreamSizes(handle: NativeContext): void {
  streamSizes.delete(handle);
}

function sizesOf(context: SecurityContext, handle: NativeContext): { maximumMessage: number; overhead: number } {
  let sizes = streamSizes.get(handle);
  if (!sizes) {
    const queried = queryContextAttributes(context, 'STREAM_SIZES');
    if (queried.maximumMessage === 0) throw failure(SecStatus.SEC_E_INTERNAL_ERROR, 'QueryContextAttributes');
    sizes = { maximumMessage: queried.maximumMessage, overhead: queried.header + queried.trailer };
    streamSizes.set(handle, sizes);
  }
  return sizes;
}

/**
 * The most bytes encryptMessage/encryptMessageInto can write for `length` bytes of data: one record
 * per cbMaximumMessage bytes, each with the header and trailer STREAM_SIZES reports.
 */
export function encryptedSizeBound(context: SecurityContext, length: number): number {
  const handle = nativeContext(context, 'context');
  validateUint32(length, 'length');
  if (length === 0) return 0;
  const { maximumMessage, overhead } = sizesOf(context, handle);
  return length + Math.ceil(length / maximumMessage) * overhead;
}

/**
 * Encrypts data into complete TLS records (split at cbMaximumMessage), written back to back into
 * `out` from `offset`; returns the bytes written. `out` must have encryptedSizeBound() bytes of
 * room from `offset` (ERR_OUT_OF_RANGE otherwise) and must not overlap `data`.
 */
export function encryptMessageInto(context: SecurityContext, data: Uint8Array, out: Uint8Array, offset = 0): number {
  const handle = nativeContext(context, 'context');
  const bytes = validateBufferLike(data, 'data');
  const target = validateBufferLike(out, 'out');
  validateInt32(offset, 'offset', { min: 0, max: target.length });
  const status = native().encryptInto(handle, bytes, target, offset) >>> 0;
  const results = slots();
  traceCall('EncryptMessage', status, `${bytes.length} -> ${results[SLOT_WRITTEN]} bytes`);
  if (status === SEC_E_BUFFER_TOO_SMALL) {
    throw outOfRange('out', `to have ${results[SLOT_NEEDED]} bytes of room from offset ${offset} (encryptedSizeBound)`, target.length - offset);
  }
  if (status === SEC_E_INVALID_PARAMETER && bytes.buffer === target.buffer) {
    throw invalidArgValue('out', '[Uint8Array]', 'must not overlap data');
  }
  if (status !== 0) throw failure(status, 'EncryptMessage');
  return results[SLOT_WRITTEN];
}

/** Encrypts data into complete TLS records (split at cbMaximumMessage), back to back in one Buffer. */
export function encryptMessage(context: SecurityContext, data: Uint8Array): Buffer {
  nativeContext(context, 'context');
  const bytes = validateBufferLike(data, 'data');
  // A deleted context fails here as EncryptMessage, not as the size query below.
  if (context.deleted) throw failure(SecStatus.SEC_E_INVALID_HANDLE, 'EncryptMessage');
  const out = Buffer.allocUnsafeSlow(encryptedSizeBound(context, bytes.length));
  return out.subarray(0, encryptMessageInto(context, bytes, out, 0));
}

export interface DecryptResult {
  /**
   * SEC_E_OK, SEC_E_INCOMPLETE_MESSAGE (wait for `missing` more bytes), SEC_I_RENEGOTIATE (pass
   * `extra` to initializeSecurityContext/acceptSecurityContext) or SEC_I_CONTEXT_EXPIRED (the peer
   * sent close_notify). Wine reports close_notify as SEC_E_OK with no data; that case is reported
   * here as SEC_I_CONTEXT_EXPIRED too, with `systemStatus` holding what the system returned.
   */
  status: number;
  statusName: string;
  systemStatus: number;
  /** The plaintext of the record consumed (empty for none). */
  data: Buffer;
  /** Input after the record consumed: decrypt it next (or hand it to the handshake on renegotiate). */
  extra: Buffer | null;
  /** With SEC_E_INCOMPLETE_MESSAGE: bytes still needed (0 when unknown). */
  missing: number | null;
  /** Bytes of the input the call consumed. */
  consumed: number;
  /** The peer closed the TLS session (close_notify). */
  closed: boolean;
  /** The peer sent a post-handshake message (renegotiation, TLS 1.3 ticket or KeyUpdate). */
  renegotiate: boolean;
}

const RECORD_TYPE_ALERT = 0x15;

export interface DecryptRecordsResult {
  /** SEC_E_OK (input used up), SEC_E_INCOMPLETE_MESSAGE, SEC_I_RENEGOTIATE or SEC_I_CONTEXT_EXPIRED. */
  status: number;
  statusName: string;
  /** The plaintext of every record decrypted, as one Buffer. */
  data: Buffer;
  records: number;
  /** Input bytes used; the rest (`data.subarray(consumed)`) is an incomplete record or follows a stop. */
  consumed: number;
  missing: number | null;
  closed: boolean;
  renegotiate: boolean;
  /** With `renegotiate`: the post-handshake message to pass to the handshake function. */
  postHandshake: Buffer | null;
}

/**
 * DecryptMessage over every complete record of `data` in one native call (not a 1:1 SSPI call: a
 * batch of them, decrypted in place in one copy, or in `data` itself with `inPlace: true`, which
 * then holds the plaintext at its start). Stops where decryptMessage would report
 * something other than data, with the same statuses; Wine's close_notify is reported as
 * SEC_I_CONTEXT_EXPIRED here too.
 */
export function decryptRecords(context: SecurityContext, data: Uint8Array, options: { inPlace?: boolean } = {}): DecryptRecordsResult {
  const handle = nativeContext(context, 'context');
  const bytes = validateBufferLike(data, 'data');
  // Decryption always happens in place; without permission, in a copy.
  const work = options.inPlace === true ? bytes : Buffer.from(bytes);
  const status = native().decryptInPlace(handle, work) >>> 0;
  const results = slots();
  const length = results[SLOT_PLAINTEXT];
  const records = results[SLOT_RECORDS];
  traceCall('DecryptMessage', status, `${records} record(s), ${bytes.length} -> ${length} bytes`);
  const plaintext = work.subarray(0, length);
  if (status !== SecStatus.SEC_E_OK && status !== SecStatus.SEC_E_INCOMPLETE_MESSAGE && status !== SecStatus.SEC_I_RENEGOTIATE && status !== SecStatus.SEC_I_CONTEXT_EXPIRED) {
    throw failure(status, 'DecryptMessage', { records, data: plaintext });
  }
  const flags = results[SLOT_FLAGS];
  const renegotiate = (flags & FLAG_RENEGOTIATE) !== 0;
  const missing = results[SLOT_MISSING];
  return {
    status,
    statusName: statusName(status),
    data: plaintext,
    records,
    consumed: results[SLOT_CONSUMED],
    missing: status === SecStatus.SEC_E_INCOMPLETE_MESSAGE ? Math.max(missing, 0) : null,
    closed: (flags & FLAG_CLOSE_NOTIFY) !== 0,
    renegotiate,
    postHandshake: renegotiate ? work.subarray(length, length + results[SLOT_POST_HANDSHAKE]) : null,
  };
}

/** One DecryptMessage call: decrypts the first record of `data`. */
export function decryptMessage(context: SecurityContext, data: Uint8Array): DecryptResult {
  const handle = nativeContext(context, 'context');
  const bytes = validateBufferLike(data, 'data');
  const raw = native().decryptMessage(handle, bytes);
  traceCall('DecryptMessage', raw.status, `${bytes.length} bytes`);
  const systemStatus = raw.status >>> 0;
  const accepted: number[] = [SecStatus.SEC_E_OK, SecStatus.SEC_E_INCOMPLETE_MESSAGE, SecStatus.SEC_I_RENEGOTIATE, SecStatus.SEC_I_CONTEXT_EXPIRED];
  if (!accepted.includes(systemStatus)) throw failure(systemStatus, 'DecryptMessage');
  // A record whose outer type is alert that yields no data is the close_notify (TLS 1.2; in TLS 1.3
  // Windows reports SEC_I_CONTEXT_EXPIRED itself).
  const wineCloseNotify = systemStatus === SecStatus.SEC_E_OK && raw.data.length === 0 && bytes[0] === RECORD_TYPE_ALERT;
  const status = wineCloseNotify ? SecStatus.SEC_I_CONTEXT_EXPIRED : systemStatus;
  return {
    status,
    statusName: statusName(status),
    systemStatus,
    data: raw.data,
    extra: raw.extra && raw.extra.length > 0 ? raw.extra : null,
    missing: systemStatus === SecStatus.SEC_E_INCOMPLETE_MESSAGE ? raw.missing ?? 0 : null,
    consumed: raw.consumed,
    closed: status === SecStatus.SEC_I_CONTEXT_EXPIRED,
    renegotiate: status === SecStatus.SEC_I_RENEGOTIATE,
  };
}
