// Status codes an SSPI/Schannel call can return, as unsigned 32-bit numbers.
//
// Values are copied from winerror.h (MinGW-w64 headers; test/unit/status.test.ts
// re-reads that header and fails on any drift). The native layer hands us
// SECURITY_STATUS as it came from Windows, which JavaScript sees as a signed
// int32 when the severity bit is set, so every function here normalises with
// `>>> 0` first.

import { invalidArgType, outOfRange } from './errors';

export const SecStatus = {
  // SSPI (FACILITY_SECURITY 0x09, codes 0x03xx): winerror.h order.
  SEC_E_OK: 0x00000000,
  SEC_E_INSUFFICIENT_MEMORY: 0x80090300,
  SEC_E_INVALID_HANDLE: 0x80090301,
  SEC_E_UNSUPPORTED_FUNCTION: 0x80090302,
  SEC_E_TARGET_UNKNOWN: 0x80090303,
  SEC_E_INTERNAL_ERROR: 0x80090304,
  SEC_E_SECPKG_NOT_FOUND: 0x80090305,
  SEC_E_NOT_OWNER: 0x80090306,
  SEC_E_CANNOT_INSTALL: 0x80090307,
  SEC_E_INVALID_TOKEN: 0x80090308,
  SEC_E_CANNOT_PACK: 0x80090309,
  SEC_E_QOP_NOT_SUPPORTED: 0x8009030A,
  SEC_E_NO_IMPERSONATION: 0x8009030B,
  SEC_E_LOGON_DENIED: 0x8009030C,
  SEC_E_UNKNOWN_CREDENTIALS: 0x8009030D,
  SEC_E_NO_CREDENTIALS: 0x8009030E,
  SEC_E_MESSAGE_ALTERED: 0x8009030F,
  SEC_E_OUT_OF_SEQUENCE: 0x80090310,
  SEC_E_NO_AUTHENTICATING_AUTHORITY: 0x80090311,
  SEC_I_CONTINUE_NEEDED: 0x00090312,
  SEC_I_COMPLETE_NEEDED: 0x00090313,
  SEC_I_COMPLETE_AND_CONTINUE: 0x00090314,
  SEC_I_LOCAL_LOGON: 0x00090315,
  SEC_I_GENERIC_EXTENSION_RECEIVED: 0x00090316,
  SEC_E_BAD_PKGID: 0x80090316,
  SEC_E_CONTEXT_EXPIRED: 0x80090317,
  SEC_I_CONTEXT_EXPIRED: 0x00090317,
  SEC_E_INCOMPLETE_MESSAGE: 0x80090318,
  SEC_E_INCOMPLETE_CREDENTIALS: 0x80090320,
  SEC_E_BUFFER_TOO_SMALL: 0x80090321,
  SEC_I_INCOMPLETE_CREDENTIALS: 0x00090320,
  SEC_I_RENEGOTIATE: 0x00090321,
  SEC_E_WRONG_PRINCIPAL: 0x80090322,
  SEC_I_NO_LSA_CONTEXT: 0x00090323,
  SEC_E_TIME_SKEW: 0x80090324,
  SEC_E_UNTRUSTED_ROOT: 0x80090325,
  SEC_E_ILLEGAL_MESSAGE: 0x80090326,
  SEC_E_CERT_UNKNOWN: 0x80090327,
  SEC_E_CERT_EXPIRED: 0x80090328,
  SEC_E_ENCRYPT_FAILURE: 0x80090329,
  SEC_E_DECRYPT_FAILURE: 0x80090330,
  SEC_E_ALGORITHM_MISMATCH: 0x80090331,
  SEC_E_SECURITY_QOS_FAILED: 0x80090332,
  SEC_E_UNFINISHED_CONTEXT_DELETED: 0x80090333,
  SEC_E_NO_TGT_REPLY: 0x80090334,
  SEC_E_NO_IP_ADDRESSES: 0x80090335,
  SEC_E_WRONG_CREDENTIAL_HANDLE: 0x80090336,
  SEC_E_CRYPTO_SYSTEM_INVALID: 0x80090337,
  SEC_E_MAX_REFERRALS_EXCEEDED: 0x80090338,
  SEC_E_MUST_BE_KDC: 0x80090339,
  SEC_E_STRONG_CRYPTO_NOT_SUPPORTED: 0x8009033A,
  SEC_E_TOO_MANY_PRINCIPALS: 0x8009033B,
  SEC_E_NO_PA_DATA: 0x8009033C,
  SEC_E_PKINIT_NAME_MISMATCH: 0x8009033D,
  SEC_E_SMARTCARD_LOGON_REQUIRED: 0x8009033E,
  SEC_E_SHUTDOWN_IN_PROGRESS: 0x8009033F,
  SEC_E_KDC_INVALID_REQUEST: 0x80090340,
  SEC_E_KDC_UNABLE_TO_REFER: 0x80090341,
  SEC_E_KDC_UNKNOWN_ETYPE: 0x80090342,
  SEC_E_UNSUPPORTED_PREAUTH: 0x80090343,
  SEC_E_DELEGATION_REQUIRED: 0x80090345,
  SEC_E_BAD_BINDINGS: 0x80090346,
  SEC_E_MULTIPLE_ACCOUNTS: 0x80090347,
  SEC_E_NO_KERB_KEY: 0x80090348,
  SEC_E_CERT_WRONG_USAGE: 0x80090349,
  SEC_E_DOWNGRADE_DETECTED: 0x80090350,
  SEC_E_SMARTCARD_CERT_REVOKED: 0x80090351,
  SEC_E_ISSUING_CA_UNTRUSTED: 0x80090352,
  SEC_E_REVOCATION_OFFLINE_C: 0x80090353,
  SEC_E_PKINIT_CLIENT_FAILURE: 0x80090354,
  SEC_E_SMARTCARD_CERT_EXPIRED: 0x80090355,
  SEC_E_NO_S4U_PROT_SUPPORT: 0x80090356,
  SEC_E_CROSSREALM_DELEGATION_FAILURE: 0x80090357,
  SEC_E_REVOCATION_OFFLINE_KDC: 0x80090358,
  SEC_E_ISSUING_CA_UNTRUSTED_KDC: 0x80090359,
  SEC_E_KDC_CERT_EXPIRED: 0x8009035A,
  SEC_E_KDC_CERT_REVOKED: 0x8009035B,
  SEC_I_SIGNATURE_NEEDED: 0x0009035C,
  SEC_E_INVALID_PARAMETER: 0x8009035D,
  SEC_E_DELEGATION_POLICY: 0x8009035E,
  SEC_E_POLICY_NLTM_ONLY: 0x8009035F,
  SEC_I_NO_RENEGOTIATION: 0x00090360,
  SEC_E_NO_CONTEXT: 0x80090361,
  SEC_E_PKU2U_CERT_FAILURE: 0x80090362,
  SEC_E_MUTUAL_AUTH_FAILED: 0x80090363,
  SEC_I_MESSAGE_FRAGMENT: 0x00090364,
  SEC_E_ONLY_HTTPS_ALLOWED: 0x80090365,
  SEC_I_CONTINUE_NEEDED_MESSAGE_OK: 0x00090366,
  SEC_E_APPLICATION_PROTOCOL_MISMATCH: 0x80090367,
  SEC_I_ASYNC_CALL_PENDING: 0x00090368,
  SEC_E_INVALID_UPN_NAME: 0x80090369,
  SEC_E_EXT_BUFFER_TOO_SMALL: 0x8009036A,
  SEC_E_INSUFFICIENT_BUFFERS: 0x8009036B,
  /** Same value as SEC_E_INTERNAL_ERROR. */
  SEC_E_NO_SPM: 0x80090304,
  /** Same value as SEC_E_UNSUPPORTED_FUNCTION. */
  SEC_E_NOT_SUPPORTED: 0x80090302,

  // Certificate chain and trust verification (FACILITY_CERT 0x0B and FACILITY_SECURITY 0x60xx).
  TRUST_E_SYSTEM_ERROR: 0x80096001,
  TRUST_E_NO_SIGNER_CERT: 0x80096002,
  TRUST_E_COUNTER_SIGNER: 0x80096003,
  TRUST_E_CERT_SIGNATURE: 0x80096004,
  TRUST_E_TIME_STAMP: 0x80096005,
  TRUST_E_BAD_DIGEST: 0x80096010,
  TRUST_E_BASIC_CONSTRAINTS: 0x80096019,
  TRUST_E_FINANCIAL_CRITERIA: 0x8009601E,
  TRUST_E_PROVIDER_UNKNOWN: 0x800B0001,
  TRUST_E_ACTION_UNKNOWN: 0x800B0002,
  TRUST_E_SUBJECT_FORM_UNKNOWN: 0x800B0003,
  TRUST_E_SUBJECT_NOT_TRUSTED: 0x800B0004,
  TRUST_E_NOSIGNATURE: 0x800B0100,
  CERT_E_EXPIRED: 0x800B0101,
  CERT_E_VALIDITYPERIODNESTING: 0x800B0102,
  CERT_E_ROLE: 0x800B0103,
  CERT_E_PATHLENCONST: 0x800B0104,
  CERT_E_CRITICAL: 0x800B0105,
  CERT_E_PURPOSE: 0x800B0106,
  CERT_E_ISSUERCHAINING: 0x800B0107,
  CERT_E_MALFORMED: 0x800B0108,
  CERT_E_UNTRUSTEDROOT: 0x800B0109,
  CERT_E_CHAINING: 0x800B010A,
  TRUST_E_FAIL: 0x800B010B,
  CERT_E_REVOKED: 0x800B010C,
  CERT_E_UNTRUSTEDTESTROOT: 0x800B010D,
  CERT_E_REVOCATION_FAILURE: 0x800B010E,
  CERT_E_CN_NO_MATCH: 0x800B010F,
  CERT_E_WRONG_USAGE: 0x800B0110,
  TRUST_E_EXPLICIT_DISTRUST: 0x800B0111,
  CERT_E_UNTRUSTEDCA: 0x800B0112,
  CERT_E_INVALID_POLICY: 0x800B0113,
  CERT_E_INVALID_NAME: 0x800B0114,

  // CryptoAPI encoding, message, store and revocation errors (FACILITY_SECURITY 0x1xxx-0x3xxx).
  CRYPT_E_MSG_ERROR: 0x80091001,
  CRYPT_E_UNKNOWN_ALGO: 0x80091002,
  CRYPT_E_OID_FORMAT: 0x80091003,
  CRYPT_E_INVALID_MSG_TYPE: 0x80091004,
  CRYPT_E_UNEXPECTED_ENCODING: 0x80091005,
  CRYPT_E_AUTH_ATTR_MISSING: 0x80091006,
  CRYPT_E_HASH_VALUE: 0x80091007,
  CRYPT_E_INVALID_INDEX: 0x80091008,
  CRYPT_E_ALREADY_DECRYPTED: 0x80091009,
  CRYPT_E_NOT_DECRYPTED: 0x8009100A,
  CRYPT_E_RECIPIENT_NOT_FOUND: 0x8009100B,
  CRYPT_E_CONTROL_TYPE: 0x8009100C,
  CRYPT_E_ISSUER_SERIALNUMBER: 0x8009100D,
  CRYPT_E_SIGNER_NOT_FOUND: 0x8009100E,
  CRYPT_E_ATTRIBUTES_MISSING: 0x8009100F,
  CRYPT_E_STREAM_MSG_NOT_READY: 0x80091010,
  CRYPT_E_STREAM_INSUFFICIENT_DATA: 0x80091011,
  CRYPT_E_BAD_LEN: 0x80092001,
  CRYPT_E_BAD_ENCODE: 0x80092002,
  CRYPT_E_FILE_ERROR: 0x80092003,
  CRYPT_E_NOT_FOUND: 0x80092004,
  CRYPT_E_EXISTS: 0x80092005,
  CRYPT_E_NO_PROVIDER: 0x80092006,
  CRYPT_E_SELF_SIGNED: 0x80092007,
  CRYPT_E_DELETED_PREV: 0x80092008,
  CRYPT_E_NO_MATCH: 0x80092009,
  CRYPT_E_UNEXPECTED_MSG_TYPE: 0x8009200A,
  CRYPT_E_NO_KEY_PROPERTY: 0x8009200B,
  CRYPT_E_NO_DECRYPT_CERT: 0x8009200C,
  CRYPT_E_BAD_MSG: 0x8009200D,
  CRYPT_E_NO_SIGNER: 0x8009200E,
  CRYPT_E_PENDING_CLOSE: 0x8009200F,
  CRYPT_E_REVOKED: 0x80092010,
  CRYPT_E_NO_REVOCATION_DLL: 0x80092011,
  CRYPT_E_NO_REVOCATION_CHECK: 0x80092012,
  CRYPT_E_REVOCATION_OFFLINE: 0x80092013,
  CRYPT_E_NOT_IN_REVOCATION_DATABASE: 0x80092014,
  CRYPT_E_INVALID_NUMERIC_STRING: 0x80092020,
  CRYPT_E_INVALID_PRINTABLE_STRING: 0x80092021,
  CRYPT_E_INVALID_IA5_STRING: 0x80092022,
  CRYPT_E_INVALID_X500_STRING: 0x80092023,
  CRYPT_E_NOT_CHAR_STRING: 0x80092024,
  CRYPT_E_FILERESIZED: 0x80092025,
  CRYPT_E_SECURITY_SETTINGS: 0x80092026,
  CRYPT_E_NO_VERIFY_USAGE_DLL: 0x80092027,
  CRYPT_E_NO_VERIFY_USAGE_CHECK: 0x80092028,
  CRYPT_E_VERIFY_USAGE_OFFLINE: 0x80092029,
  CRYPT_E_NOT_IN_CTL: 0x8009202A,
  CRYPT_E_NO_TRUSTED_SIGNER: 0x8009202B,
  CRYPT_E_MISSING_PUBKEY_PARA: 0x8009202C,
  CRYPT_E_OSS_ERROR: 0x80093000,
  CRYPT_E_ASN1_ERROR: 0x80093100,
  CRYPT_E_ASN1_INTERNAL: 0x80093101,
  CRYPT_E_ASN1_EOD: 0x80093102,
  CRYPT_E_ASN1_CORRUPT: 0x80093103,
  CRYPT_E_ASN1_LARGE: 0x80093104,
  CRYPT_E_ASN1_CONSTRAINT: 0x80093105,
  CRYPT_E_ASN1_MEMORY: 0x80093106,
  CRYPT_E_ASN1_OVERFLOW: 0x80093107,
  CRYPT_E_ASN1_BADPDU: 0x80093108,
  CRYPT_E_ASN1_BADARGS: 0x80093109,
  CRYPT_E_ASN1_BADREAL: 0x8009310A,
  CRYPT_E_ASN1_BADTAG: 0x8009310B,
  CRYPT_E_ASN1_CHOICE: 0x8009310C,
  CRYPT_E_ASN1_RULE: 0x8009310D,
  CRYPT_E_ASN1_UTF8: 0x8009310E,
  CRYPT_E_ASN1_PDU_TYPE: 0x80093133,
  CRYPT_E_ASN1_NYI: 0x80093134,
  CRYPT_E_ASN1_EXTENDED: 0x80093201,
  CRYPT_E_ASN1_NOEOD: 0x80093202,

  // Generic COM and CryptoAPI provider codes that Schannel passes through.
  E_OUTOFMEMORY: 0x8007000E,
  E_INVALIDARG: 0x80070057,
  NTE_BAD_DATA: 0x80090005,
  NTE_BAD_SIGNATURE: 0x80090006,
  NTE_BAD_KEYSET: 0x80090016,
} as const;

export type SecStatusName = keyof typeof SecStatus;

// Two pairs of names in winerror.h share a value. The name that wins is the
// one Microsoft's "InitializeSecurityContext (Schannel)" page lists, so that a
// reader can look the code up there. Every shared value must appear here
// exactly once (asserted by the unit test), which keeps statusName()
// independent of object key order.
const preferredNames: readonly SecStatusName[] = [
  'SEC_E_UNSUPPORTED_FUNCTION', // not SEC_E_NOT_SUPPORTED
  'SEC_E_INTERNAL_ERROR', // not SEC_E_NO_SPM
];

const nameByValue: ReadonlyMap<number, SecStatusName> = (() => {
  const map = new Map<number, SecStatusName>();
  for (const [name, value] of Object.entries(SecStatus) as [SecStatusName, number][]) {
    if (!map.has(value)) map.set(value, name);
  }
  for (const name of preferredNames) map.set(SecStatus[name], name);
  return map;
})();

/** Names sharing one value with another name, keyed by value (for tests and docs). */
export function statusAliases(): ReadonlyMap<number, readonly SecStatusName[]> {
  const groups = new Map<number, SecStatusName[]>();
  for (const [name, value] of Object.entries(SecStatus) as [SecStatusName, number][]) {
    const list = groups.get(value);
    if (list) list.push(name);
    else groups.set(value, [name]);
  }
  for (const [value, names] of groups) if (names.length < 2) groups.delete(value);
  return groups;
}

function toUint32(status: unknown, name: string): number {
  if (typeof status !== 'number') throw invalidArgType(name, 'number', status);
  if (!Number.isInteger(status) || status < -0x80000000 || status > 0xffffffff) {
    throw outOfRange(name, '>= -2147483648 && <= 4294967295', status);
  }
  return status >>> 0;
}

/** `0x` followed by eight upper-case hex digits, the form Windows documentation uses. */
export function formatStatusHex(status: number): string {
  return `0x${toUint32(status, 'status').toString(16).toUpperCase().padStart(8, '0')}`;
}

/**
 * The symbolic name of a status (`SEC_E_INVALID_TOKEN`), or its hex form
 * (`0x80091234`) when the table does not know it. Signed int32 input is
 * accepted because that is how a negative HRESULT reaches JavaScript.
 */
export function statusName(status: number): string {
  const value = toUint32(status, 'status');
  return nameByValue.get(value) ?? formatStatusHex(value);
}

/** True when the severity bit (bit 31) is clear: SEC_E_OK and every SEC_I_* code. */
export function isSuccessStatus(status: number): boolean {
  return toUint32(status, 'status') < 0x80000000;
}

/** True when the severity bit (bit 31) is set. SEC_E_INCOMPLETE_MESSAGE is one of these, even though the handshake loop treats it as "read more". */
export function isFailureStatus(status: number): boolean {
  return !isSuccessStatus(status);
}

/**
 * One plain sentence per status, in our own words. Used as the error message
 * when FormatMessage has no text for a code (common for SEC_* on Wine and on
 * minimal Windows images).
 */
export const statusDescriptions: Partial<Record<SecStatusName, string>> = {
  SEC_E_OK: 'The call completed successfully.',
  SEC_E_INSUFFICIENT_MEMORY: 'There was not enough memory to complete the request.',
  SEC_E_INVALID_HANDLE: 'The credential or context handle is not valid, or has already been released.',
  SEC_E_UNSUPPORTED_FUNCTION: 'The security package does not support this operation or one of the options requested.',
  SEC_E_NOT_SUPPORTED: 'The security package does not support this operation or one of the options requested.',
  SEC_E_TARGET_UNKNOWN: 'The target name was not recognised.',
  SEC_E_INTERNAL_ERROR: 'The security package hit an internal error that it could not report more precisely.',
  SEC_E_NO_SPM: 'The security package hit an internal error that it could not report more precisely.',
  SEC_E_SECPKG_NOT_FOUND: 'The requested security package is not installed on this system.',
  SEC_E_NOT_OWNER: 'The caller does not own the credentials it tried to use.',
  SEC_E_CANNOT_INSTALL: 'The security package failed to initialise and could not be loaded.',
  SEC_E_INVALID_TOKEN: 'The input token is malformed or is not what the package expected at this step.',
  SEC_E_CANNOT_PACK: 'The security package could not marshal the logon buffer.',
  SEC_E_QOP_NOT_SUPPORTED: 'The requested per-message protection level is not supported.',
  SEC_E_NO_IMPERSONATION: 'This security context does not allow impersonating the client.',
  SEC_E_LOGON_DENIED: 'The logon attempt was rejected.',
  SEC_E_UNKNOWN_CREDENTIALS: 'The security package did not recognise the credentials it was given.',
  SEC_E_NO_CREDENTIALS: 'No usable credentials were available to the security package.',
  SEC_E_MESSAGE_ALTERED: 'A record failed its integrity check, so it was changed in transit or the keys disagree.',
  SEC_E_OUT_OF_SEQUENCE: 'A message arrived out of order.',
  SEC_E_NO_AUTHENTICATING_AUTHORITY: 'No authority could be reached to check the credentials.',
  SEC_I_CONTINUE_NEEDED: 'The handshake is not finished: send the output token to the peer and call again with its reply.',
  SEC_I_COMPLETE_NEEDED: 'The output token must be finished with CompleteAuthToken before it is sent.',
  SEC_I_COMPLETE_AND_CONTINUE: 'The output token must be finished with CompleteAuthToken, sent, and the handshake continued.',
  SEC_I_LOCAL_LOGON: 'The logon succeeded from locally cached data because no network authority was available.',
  SEC_I_GENERIC_EXTENSION_RECEIVED: 'The peer sent a generic TLS extension that the caller subscribed to.',
  SEC_E_BAD_PKGID: 'The security package identifier is not valid.',
  SEC_E_CONTEXT_EXPIRED: 'The security context has expired or been shut down and can no longer be used.',
  SEC_I_CONTEXT_EXPIRED: 'The peer closed the TLS session, so no more data will arrive on this context.',
  SEC_E_INCOMPLETE_MESSAGE: 'The input does not yet hold a whole record: read more bytes and call again.',
  SEC_E_INCOMPLETE_CREDENTIALS: 'The credentials are incomplete and could not be verified.',
  SEC_E_BUFFER_TOO_SMALL: 'An output buffer was too small for the result.',
  SEC_I_INCOMPLETE_CREDENTIALS: 'The server asked for a client certificate that was not supplied; supply one or call again without.',
  SEC_I_RENEGOTIATE: 'The peer started a new handshake or sent post-handshake messages, which must be fed back to the handshake function.',
  SEC_E_WRONG_PRINCIPAL: 'The name of the peer does not match the expected target name.',
  SEC_I_NO_LSA_CONTEXT: 'No LSA-mode context was created for this security context.',
  SEC_E_TIME_SKEW: 'The clocks of the two machines are too far apart.',
  SEC_E_UNTRUSTED_ROOT: 'The certificate chain ends in a root that this machine does not trust.',
  SEC_E_ILLEGAL_MESSAGE: 'The peer sent a message that is malformed or not allowed at this point, often a fatal alert.',
  SEC_E_CERT_UNKNOWN: 'An unspecified error occurred while processing a certificate.',
  SEC_E_CERT_EXPIRED: 'The certificate has expired or is not valid yet.',
  SEC_E_ENCRYPT_FAILURE: 'The data could not be encrypted.',
  SEC_E_DECRYPT_FAILURE: 'The data could not be decrypted.',
  SEC_E_ALGORITHM_MISMATCH: 'The two sides have no protocol version or cipher suite in common.',
  SEC_E_SECURITY_QOS_FAILED: 'The requested quality of service, such as mutual authentication or delegation, could not be provided.',
  SEC_E_UNFINISHED_CONTEXT_DELETED: 'A security context was deleted before its handshake had finished.',
  SEC_E_NO_TGT_REPLY: 'A user-to-user Kerberos ticket was requested but no ticket-granting ticket came back.',
  SEC_E_NO_IP_ADDRESSES: 'No IP address was available to complete the request.',
  SEC_E_WRONG_CREDENTIAL_HANDLE: 'The credential handle differs from the one the context was started with.',
  SEC_E_CRYPTO_SYSTEM_INVALID: 'A required cryptographic algorithm or checksum is not available.',
  SEC_E_MAX_REFERRALS_EXCEEDED: 'The Kerberos ticket request was referred too many times.',
  SEC_E_MUST_BE_KDC: 'This operation can only run on a Kerberos key distribution center.',
  SEC_E_STRONG_CRYPTO_NOT_SUPPORTED: 'The peer requires stronger cryptography than this system offers.',
  SEC_E_TOO_MANY_PRINCIPALS: 'More than one principal matched the request at the key distribution center.',
  SEC_E_NO_PA_DATA: 'Expected Kerberos pre-authentication data was missing.',
  SEC_E_PKINIT_NAME_MISMATCH: 'The name in the smart-card logon certificate does not match the account.',
  SEC_E_SMARTCARD_LOGON_REQUIRED: 'This account must log on with a smart card.',
  SEC_E_SHUTDOWN_IN_PROGRESS: 'The system is shutting down.',
  SEC_E_KDC_INVALID_REQUEST: 'The key distribution center rejected the request as invalid.',
  SEC_E_KDC_UNABLE_TO_REFER: 'The key distribution center could not refer the request elsewhere.',
  SEC_E_KDC_UNKNOWN_ETYPE: 'The key distribution center does not support the requested encryption type.',
  SEC_E_UNSUPPORTED_PREAUTH: 'The key distribution center does not support the pre-authentication method offered.',
  SEC_E_DELEGATION_REQUIRED: 'This operation needs a credential that can be delegated.',
  SEC_E_BAD_BINDINGS: 'The channel bindings do not match those of the underlying connection.',
  SEC_E_MULTIPLE_ACCOUNTS: 'The certificate maps to more than one account.',
  SEC_E_NO_KERB_KEY: 'No Kerberos key exists for the account.',
  SEC_E_CERT_WRONG_USAGE: 'The certificate may not be used for this purpose.',
  SEC_E_DOWNGRADE_DETECTED: 'A possible downgrade attack was detected, so the connection was refused.',
  SEC_E_SMARTCARD_CERT_REVOKED: 'The smart-card logon certificate has been revoked.',
  SEC_E_ISSUING_CA_UNTRUSTED: 'The authority that issued the smart-card logon certificate is not trusted.',
  SEC_E_REVOCATION_OFFLINE_C: 'The revocation status of the smart-card logon certificate could not be found.',
  SEC_E_PKINIT_CLIENT_FAILURE: 'The smart-card logon certificate is not trusted.',
  SEC_E_SMARTCARD_CERT_EXPIRED: 'The smart-card logon certificate has expired.',
  SEC_E_NO_S4U_PROT_SUPPORT: 'The domain does not support the Kerberos service-for-user protocol.',
  SEC_E_CROSSREALM_DELEGATION_FAILURE: 'Constrained delegation to a service in another realm failed.',
  SEC_E_REVOCATION_OFFLINE_KDC: 'The revocation status of the domain controller certificate could not be found.',
  SEC_E_ISSUING_CA_UNTRUSTED_KDC: 'The authority that issued the domain controller certificate is not trusted.',
  SEC_E_KDC_CERT_EXPIRED: 'The domain controller certificate has expired.',
  SEC_E_KDC_CERT_REVOKED: 'The domain controller certificate has been revoked.',
  SEC_I_SIGNATURE_NEEDED: 'The handshake needs a signature from the caller before it can go on.',
  SEC_E_INVALID_PARAMETER: 'One or more of the parameters are not valid.',
  SEC_E_DELEGATION_POLICY: 'Policy does not allow these credentials to be delegated.',
  SEC_E_POLICY_NLTM_ONLY: 'Policy blocks authentication that could only use NTLM.',
  SEC_I_NO_RENEGOTIATION: 'The peer declined to renegotiate.',
  SEC_E_NO_CONTEXT: 'No security context exists for this request.',
  SEC_E_PKU2U_CERT_FAILURE: 'A certificate problem stopped peer-to-peer (PKU2U) authentication.',
  SEC_E_MUTUAL_AUTH_FAILED: 'The server could not be authenticated, so mutual authentication failed.',
  SEC_I_MESSAGE_FRAGMENT: 'Only part of the message was produced: call again to get the rest.',
  SEC_E_ONLY_HTTPS_ALLOWED: 'Only HTTPS is allowed for this request.',
  SEC_I_CONTINUE_NEEDED_MESSAGE_OK: 'The message was accepted but the handshake must continue.',
  SEC_E_APPLICATION_PROTOCOL_MISMATCH: 'The two sides have no application protocol (ALPN) in common.',
  SEC_I_ASYNC_CALL_PENDING: 'The asynchronous call has not finished yet.',
  SEC_E_INVALID_UPN_NAME: 'The user principal name is malformed.',
  SEC_E_EXT_BUFFER_TOO_SMALL: 'The buffer for extended error information is too small.',
  SEC_E_INSUFFICIENT_BUFFERS: 'Too few buffers were supplied for this operation.',

  TRUST_E_SYSTEM_ERROR: 'A system error occurred while checking trust.',
  TRUST_E_NO_SIGNER_CERT: 'The certificate of the signer is missing.',
  TRUST_E_COUNTER_SIGNER: 'A counter-signature is not valid.',
  TRUST_E_CERT_SIGNATURE: 'The signature on a certificate could not be verified.',
  TRUST_E_TIME_STAMP: 'The time-stamp signature or its certificate could not be verified.',
  TRUST_E_BAD_DIGEST: 'The signed content does not match its digest.',
  TRUST_E_BASIC_CONSTRAINTS: 'A certificate breaks the basic constraints of its issuer, for example a leaf acting as a CA.',
  TRUST_E_FINANCIAL_CRITERIA: 'The certificate lacks or fails the financial-criteria extension.',
  TRUST_E_PROVIDER_UNKNOWN: 'No trust provider is installed for this kind of check.',
  TRUST_E_ACTION_UNKNOWN: 'The trust provider does not support the requested verification.',
  TRUST_E_SUBJECT_FORM_UNKNOWN: 'The trust provider does not understand the form of the subject.',
  TRUST_E_SUBJECT_NOT_TRUSTED: 'The subject is not trusted for this action.',
  TRUST_E_NOSIGNATURE: 'The object has no signature.',
  CERT_E_EXPIRED: 'A certificate in the chain has expired or is not valid yet.',
  CERT_E_VALIDITYPERIODNESTING: 'The validity periods in the chain do not nest inside each other.',
  CERT_E_ROLE: 'A certificate is used in a role it is not allowed to play, such as an end-entity certificate acting as a CA.',
  CERT_E_PATHLENCONST: 'The chain is longer than a CA certificate allows.',
  CERT_E_CRITICAL: 'A certificate has a critical extension that could not be understood.',
  CERT_E_PURPOSE: 'A certificate is used for a purpose its issuer did not allow.',
  CERT_E_ISSUERCHAINING: 'A certificate in the chain was not issued by the certificate above it.',
  CERT_E_MALFORMED: 'A certificate has a missing or invalid field.',
  CERT_E_UNTRUSTEDROOT: 'The chain ends in a root certificate that is not trusted.',
  CERT_E_CHAINING: 'No chain could be built up to a trusted root.',
  TRUST_E_FAIL: 'Trust verification failed for an unspecified reason.',
  CERT_E_REVOKED: 'A certificate in the chain has been revoked by its issuer.',
  CERT_E_UNTRUSTEDTESTROOT: 'The chain ends in a test root that current policy does not trust.',
  CERT_E_REVOCATION_FAILURE: 'The revocation status could not be checked because the revocation server was unreachable.',
  CERT_E_CN_NO_MATCH: 'The names in the certificate do not match the host name that was requested.',
  CERT_E_WRONG_USAGE: 'The certificate is not valid for the requested usage.',
  TRUST_E_EXPLICIT_DISTRUST: 'The certificate has been explicitly marked as not trusted.',
  CERT_E_UNTRUSTEDCA: 'A CA certificate in the chain is not trusted for this purpose.',
  CERT_E_INVALID_POLICY: 'The chain does not meet the required certificate policies.',
  CERT_E_INVALID_NAME: 'A certificate has a name that is invalid or outside the permitted name constraints.',

  CRYPT_E_MSG_ERROR: 'An error occurred while processing a cryptographic message.',
  CRYPT_E_UNKNOWN_ALGO: 'The cryptographic algorithm is not known.',
  CRYPT_E_OID_FORMAT: 'The object identifier is badly formatted.',
  CRYPT_E_INVALID_MSG_TYPE: 'The cryptographic message type is not valid.',
  CRYPT_E_UNEXPECTED_ENCODING: 'The encoding is not the one that was expected.',
  CRYPT_E_AUTH_ATTR_MISSING: 'The message lacks an expected authenticated attribute.',
  CRYPT_E_HASH_VALUE: 'The hash value does not match.',
  CRYPT_E_INVALID_INDEX: 'The index value is out of range.',
  CRYPT_E_ALREADY_DECRYPTED: 'The message content has already been decrypted.',
  CRYPT_E_NOT_DECRYPTED: 'The message content has not been decrypted yet.',
  CRYPT_E_RECIPIENT_NOT_FOUND: 'The enveloped-data message has no matching recipient.',
  CRYPT_E_CONTROL_TYPE: 'The control type is not valid.',
  CRYPT_E_ISSUER_SERIALNUMBER: 'The issuer and/or serial number are not valid.',
  CRYPT_E_SIGNER_NOT_FOUND: 'The original signer could not be found.',
  CRYPT_E_ATTRIBUTES_MISSING: 'The message lacks the requested attributes.',
  CRYPT_E_STREAM_MSG_NOT_READY: 'The streamed message cannot yet return the requested data.',
  CRYPT_E_STREAM_INSUFFICIENT_DATA: 'The streamed message needs more data before it can finish decoding.',
  CRYPT_E_BAD_LEN: 'The length given for the output data is too small.',
  CRYPT_E_BAD_ENCODE: 'An error occurred while encoding or decoding ASN.1 data.',
  CRYPT_E_FILE_ERROR: 'A file could not be read or written.',
  CRYPT_E_NOT_FOUND: 'The object or property was not found.',
  CRYPT_E_EXISTS: 'The object or property already exists.',
  CRYPT_E_NO_PROVIDER: 'No cryptographic provider was specified and none could be found.',
  CRYPT_E_SELF_SIGNED: 'The certificate is self-signed.',
  CRYPT_E_DELETED_PREV: 'The previous certificate or revocation list context was deleted.',
  CRYPT_E_NO_MATCH: 'No matching certificate, key or object was found.',
  CRYPT_E_UNEXPECTED_MSG_TYPE: 'The message type is not the one that was expected.',
  CRYPT_E_NO_KEY_PROPERTY: 'The certificate has no private-key property.',
  CRYPT_E_NO_DECRYPT_CERT: 'No certificate with a private key able to decrypt was found.',
  CRYPT_E_BAD_MSG: 'The data is not a cryptographic message or is badly formatted.',
  CRYPT_E_NO_SIGNER: 'The signed message has no signer at the given index.',
  CRYPT_E_PENDING_CLOSE: 'Final closure is pending until further frees or closes.',
  CRYPT_E_REVOKED: 'The certificate has been revoked.',
  CRYPT_E_NO_REVOCATION_DLL: 'No revocation handler is installed for this certificate.',
  CRYPT_E_NO_REVOCATION_CHECK: 'The revocation handler was unable to check this certificate.',
  CRYPT_E_REVOCATION_OFFLINE: 'The revocation server was offline, so the check could not complete.',
  CRYPT_E_NOT_IN_REVOCATION_DATABASE: 'The certificate is not in the revocation server database.',
  CRYPT_E_INVALID_NUMERIC_STRING: 'A numeric string contains a character that is not a digit.',
  CRYPT_E_INVALID_PRINTABLE_STRING: 'A printable string contains a character that is not allowed.',
  CRYPT_E_INVALID_IA5_STRING: 'An IA5 string contains a character outside seven-bit ASCII.',
  CRYPT_E_INVALID_X500_STRING: 'An X.500 distinguished name string is malformed.',
  CRYPT_E_NOT_CHAR_STRING: 'The value type is not one of the character string types.',
  CRYPT_E_FILERESIZED: 'The file was resized while it was being updated.',
  CRYPT_E_SECURITY_SETTINGS: 'Local security options do not allow this cryptographic operation.',
  CRYPT_E_NO_VERIFY_USAGE_DLL: 'No handler is installed to verify this usage.',
  CRYPT_E_NO_VERIFY_USAGE_CHECK: 'The usage handler was unable to check this certificate.',
  CRYPT_E_VERIFY_USAGE_OFFLINE: 'The usage check could not complete because its server was offline.',
  CRYPT_E_NOT_IN_CTL: 'The subject is not in the certificate trust list.',
  CRYPT_E_NO_TRUSTED_SIGNER: 'No trusted signer was found to verify the trust list or message.',
  CRYPT_E_MISSING_PUBKEY_PARA: 'The public key lacks parameters that must be inherited from its issuer.',
  CRYPT_E_OSS_ERROR: 'The ASN.1 encoder or decoder reported an error.',
  CRYPT_E_ASN1_ERROR: 'An ASN.1 encoding or decoding error occurred.',
  CRYPT_E_ASN1_INTERNAL: 'The ASN.1 library hit an internal error.',
  CRYPT_E_ASN1_EOD: 'ASN.1 decoding ran past the end of the data.',
  CRYPT_E_ASN1_CORRUPT: 'The ASN.1 data is corrupt.',
  CRYPT_E_ASN1_LARGE: 'An ASN.1 value is too large.',
  CRYPT_E_ASN1_CONSTRAINT: 'An ASN.1 value breaks a constraint of its type.',
  CRYPT_E_ASN1_MEMORY: 'The ASN.1 library ran out of memory.',
  CRYPT_E_ASN1_OVERFLOW: 'An ASN.1 buffer overflowed.',
  CRYPT_E_ASN1_BADPDU: 'The ASN.1 library does not support this protocol data unit.',
  CRYPT_E_ASN1_BADARGS: 'Invalid arguments were passed to the ASN.1 library.',
  CRYPT_E_ASN1_BADREAL: 'An ASN.1 real value is malformed.',
  CRYPT_E_ASN1_BADTAG: 'An ASN.1 tag is not the one that was expected.',
  CRYPT_E_ASN1_CHOICE: 'An ASN.1 CHOICE value is malformed.',
  CRYPT_E_ASN1_RULE: 'The ASN.1 encoding rule is not valid.',
  CRYPT_E_ASN1_UTF8: 'A UTF-8 string in ASN.1 data is malformed.',
  CRYPT_E_ASN1_PDU_TYPE: 'The ASN.1 protocol data unit type is not valid.',
  CRYPT_E_ASN1_NYI: 'The ASN.1 feature is not implemented.',
  CRYPT_E_ASN1_EXTENDED: 'The ASN.1 data uses an extension that is not supported.',
  CRYPT_E_ASN1_NOEOD: 'The ASN.1 decoder expected more data after the end of the value.',

  E_OUTOFMEMORY: 'The system ran out of memory.',
  E_INVALIDARG: 'One or more arguments are not valid.',
  NTE_BAD_DATA: 'The data given to the cryptographic provider is not valid.',
  NTE_BAD_SIGNATURE: 'The signature did not verify.',
  NTE_BAD_KEYSET: 'The key container does not exist or could not be opened.',
};

/** A one-sentence description of a status for error messages; never throws for a number in int32/uint32 range. */
export function describeStatus(status: number): string {
  const value = toUint32(status, 'status');
  const name = nameByValue.get(value);
  const text = name === undefined ? undefined : statusDescriptions[name];
  if (text !== undefined) return text;
  if (name !== undefined) return `Windows reported ${name}.`;
  return value < 0x80000000
    ? `Windows returned an unrecognised success status ${formatStatusHex(value)}.`
    : `Windows returned an unrecognised failure status ${formatStatusHex(value)}.`;
}

/**
 * What InitializeSecurityContext / AcceptSecurityContext (Schannel) may
 * return in the normal course of a handshake. The binding returns these to
 * the caller instead of throwing; every other status becomes a SchannelError.
 * SEC_E_INCOMPLETE_MESSAGE has the severity bit set but only means "read
 * more bytes", so it belongs here too.
 */
export const IscSuccessStatuses = [
  'SEC_E_OK',
  'SEC_I_COMPLETE_AND_CONTINUE',
  'SEC_I_COMPLETE_NEEDED',
  'SEC_I_CONTINUE_NEEDED',
  'SEC_I_INCOMPLETE_CREDENTIALS',
  'SEC_E_INCOMPLETE_MESSAGE',
] as const satisfies readonly SecStatusName[];

/**
 * What DecryptMessage (Schannel) may return without it being an error:
 * SEC_I_CONTEXT_EXPIRED is the peer's close_notify and SEC_I_RENEGOTIATE asks
 * the caller to run the handshake function again (also how TLS 1.3
 * post-handshake messages such as new session tickets arrive).
 */
export const DecryptSuccessStatuses = [
  'SEC_E_OK',
  'SEC_E_INCOMPLETE_MESSAGE',
  'SEC_I_CONTEXT_EXPIRED',
  'SEC_I_RENEGOTIATE',
] as const satisfies readonly SecStatusName[];

Object.freeze(SecStatus);
Object.freeze(statusDescriptions);
Object.freeze(IscSuccessStatuses);
Object.freeze(DecryptSuccessStatuses);
