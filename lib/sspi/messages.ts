// EncryptMessage / DecryptMessage in stream mode.
import { native } from '../native';
import { failure } from './check';
import { traceCall } from './trace';
import { nativeContext, type SecurityContext } from './handles';
import { SecStatus, statusName } from './status';
import { validateBufferLike } from './validate';

/** Encrypts data into complete TLS records (split at cbMaximumMessage), back to back in one Buffer. */
export function encryptMessage(context: SecurityContext, data: Uint8Array): Buffer {
  const handle = nativeContext(context, 'context');
  const bytes = validateBufferLike(data, 'data');
  const result = native().encryptMessage(handle, bytes);
  traceCall('EncryptMessage', result.status, `${bytes.length} -> ${result.length} bytes`);
  if (result.status !== 0 || !result.data) throw failure(result.status, 'EncryptMessage');
  return result.data.subarray(0, result.length);
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
  const raw = native().decryptRecords(handle, bytes, options.inPlace === true);
  traceCall('DecryptMessage', raw.status, `${raw.records} record(s), ${bytes.length} -> ${raw.length} bytes`);
  const status = raw.status >>> 0;
  const plaintext = raw.data.subarray(0, raw.length);
  const accepted: number[] = [SecStatus.SEC_E_OK, SecStatus.SEC_E_INCOMPLETE_MESSAGE, SecStatus.SEC_I_RENEGOTIATE, SecStatus.SEC_I_CONTEXT_EXPIRED];
  if (!accepted.includes(status)) {
    throw failure(status, 'DecryptMessage', { records: raw.records, data: plaintext });
  }
  return {
    status,
    statusName: statusName(status),
    data: plaintext,
    records: raw.records,
    consumed: raw.consumed,
    missing: status === SecStatus.SEC_E_INCOMPLETE_MESSAGE ? raw.missing ?? 0 : null,
    closed: raw.closeNotify,
    renegotiate: raw.renegotiate,
    postHandshake: raw.postHandshake,
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
