// Numeric constants of the Schannel SSPI surface, named as in the Windows
// headers minus their prefix (ISC_REQ_CONFIDENTIALITY -> IscReq.CONFIDENTIALITY)
// so the code can be read beside Microsoft's documentation.
//
// Source of truth: the MinGW-w64 headers sspi.h, schannel.h and wincrypt.h;
// test/unit/flags.test.ts re-reads them and fails on any drift. The few values
// MinGW lacks are marked with where they come from.
//
// Every flag parameter of these APIs is a 32-bit ULONG/DWORD, and the binding
// passes exactly 32 bits. Newer SDKs define some ISC/ASC flags above bit 31
// (e.g. ISC_REQ_MESSAGES = 0x1_0000_0000) for other entry points; they cannot
// be expressed in a ULONG fContextReq, so they are left out of these tables.

import { invalidArgType, invalidArgValue, invalidArgValueRange, outOfRange } from './errors';
import { validateArray, validateObject, validateOneOf } from './validate';

/** fContextReq of InitializeSecurityContext (ISC_REQ_*). ISC_REQ_MESSAGES (bit 32) is omitted: see above. */
export const IscReq = {
  DELEGATE: 0x00000001,
  MUTUAL_AUTH: 0x00000002,
  REPLAY_DETECT: 0x00000004,
  SEQUENCE_DETECT: 0x00000008,
  CONFIDENTIALITY: 0x00000010,
  USE_SESSION_KEY: 0x00000020,
  PROMPT_FOR_CREDS: 0x00000040,
  USE_SUPPLIED_CREDS: 0x00000080,
  ALLOCATE_MEMORY: 0x00000100,
  USE_DCE_STYLE: 0x00000200,
  DATAGRAM: 0x00000400,
  CONNECTION: 0x00000800,
  CALL_LEVEL: 0x00001000,
  FRAGMENT_SUPPLIED: 0x00002000,
  EXTENDED_ERROR: 0x00004000,
  STREAM: 0x00008000,
  INTEGRITY: 0x00010000,
  IDENTIFY: 0x00020000,
  NULL_SESSION: 0x00040000,
  MANUAL_CRED_VALIDATION: 0x00080000,
  RESERVED1: 0x00100000,
  FRAGMENT_TO_FIT: 0x00200000,
  FORWARD_CREDENTIALS: 0x00400000,
  NO_INTEGRITY: 0x00800000,
  USE_HTTP_STYLE: 0x01000000,
  UNVERIFIED_TARGET_NAME: 0x20000000,
  CONFIDENTIALITY_ONLY: 0x40000000,
} as const;

/** pfContextAttr returned by InitializeSecurityContext (ISC_RET_*). ISC_RET_MESSAGES (bit 32) is omitted. */
export const IscRet = {
  DELEGATE: 0x00000001,
  MUTUAL_AUTH: 0x00000002,
  REPLAY_DETECT: 0x00000004,
  SEQUENCE_DETECT: 0x00000008,
  CONFIDENTIALITY: 0x00000010,
  USE_SESSION_KEY: 0x00000020,
  USED_COLLECTED_CREDS: 0x00000040,
  USED_SUPPLIED_CREDS: 0x00000080,
  ALLOCATED_MEMORY: 0x00000100,
  USED_DCE_STYLE: 0x00000200,
  DATAGRAM: 0x00000400,
  CONNECTION: 0x00000800,
  INTERMEDIATE_RETURN: 0x00001000,
  CALL_LEVEL: 0x00002000,
  EXTENDED_ERROR: 0x00004000,
  STREAM: 0x00008000,
  INTEGRITY: 0x00010000,
  IDENTIFY: 0x00020000,
  NULL_SESSION: 0x00040000,
  MANUAL_CRED_VALIDATION: 0x00080000,
  RESERVED1: 0x00100000,
  FRAGMENT_ONLY: 0x00200000,
  FORWARD_CREDENTIALS: 0x00400000,
  USED_HTTP_STYLE: 0x01000000,
  NO_ADDITIONAL_TOKEN: 0x02000000,
  REAUTHENTICATION: 0x08000000,
  CONFIDENTIALITY_ONLY: 0x40000000,
} as const;

/** fContextReq of AcceptSecurityContext (ASC_REQ_*). ASC_REQ_MESSAGES (bit 32) is omitted. */
export const AscReq = {
  DELEGATE: 0x00000001,
  MUTUAL_AUTH: 0x00000002,
  REPLAY_DETECT: 0x00000004,
  SEQUENCE_DETECT: 0x00000008,
  CONFIDENTIALITY: 0x00000010,
  USE_SESSION_KEY: 0x00000020,
  SESSION_TICKET: 0x00000040,
  ALLOCATE_MEMORY: 0x00000100,
  USE_DCE_STYLE: 0x00000200,
  DATAGRAM: 0x00000400,
  CONNECTION: 0x00000800,
  CALL_LEVEL: 0x00001000,
  FRAGMENT_SUPPLIED: 0x00002000,
  EXTENDED_ERROR: 0x00008000,
  STREAM: 0x00010000,
  INTEGRITY: 0x00020000,
  LICENSING: 0x00040000,
  IDENTIFY: 0x00080000,
  ALLOW_NULL_SESSION: 0x00100000,
  ALLOW_NON_USER_LOGONS: 0x00200000,
  ALLOW_CONTEXT_REPLAY: 0x00400000,
  FRAGMENT_TO_FIT: 0x00800000,
  NO_TOKEN: 0x01000000,
  PROXY_BINDINGS: 0x04000000,
  ALLOW_MISSING_BINDINGS: 0x10000000,
} as const;

/** pfContextAttr returned by AcceptSecurityContext (ASC_RET_*). ASC_RET_MESSAGES (bit 32) is omitted. */
export const AscRet = {
  DELEGATE: 0x00000001,
  MUTUAL_AUTH: 0x00000002,
  REPLAY_DETECT: 0x00000004,
  SEQUENCE_DETECT: 0x00000008,
  CONFIDENTIALITY: 0x00000010,
  USE_SESSION_KEY: 0x00000020,
  SESSION_TICKET: 0x00000040,
  ALLOCATED_MEMORY: 0x00000100,
  USED_DCE_STYLE: 0x00000200,
  DATAGRAM: 0x00000400,
  CONNECTION: 0x00000800,
  CALL_LEVEL: 0x00002000,
  THIRD_LEG_FAILED: 0x00004000,
  EXTENDED_ERROR: 0x00008000,
  STREAM: 0x00010000,
  INTEGRITY: 0x00020000,
  LICENSING: 0x00040000,
  IDENTIFY: 0x00080000,
  NULL_SESSION: 0x00100000,
  ALLOW_NON_USER_LOGONS: 0x00200000,
  ALLOW_CONTEXT_REPLAY: 0x00400000,
  FRAGMENT_ONLY: 0x00800000,
  NO_TOKEN: 0x01000000,
  NO_ADDITIONAL_TOKEN: 0x02000000,
} as const;

/** SecBufferDesc.ulVersion: the only version there is (SECBUFFER_VERSION). */
export const SECBUFFER_VERSION = 0;

/** SecBuffer.BufferType (SECBUFFER_*): an enumeration in the low bits; attribute flags live in SecBufferFlags. */
export const SecBufferType = {
  EMPTY: 0,
  DATA: 1,
  TOKEN: 2,
  PKG_PARAMS: 3,
  MISSING: 4,
  EXTRA: 5,
  STREAM_TRAILER: 6,
  STREAM_HEADER: 7,
  NEGOTIATION_INFO: 8,
  PADDING: 9,
  STREAM: 10,
  MECHLIST: 11,
  MECHLIST_SIGNATURE: 12,
  TARGET: 13,
  CHANNEL_BINDINGS: 14,
  CHANGE_PASS_RESPONSE: 15,
  TARGET_HOST: 16,
  ALERT: 17,
  APPLICATION_PROTOCOLS: 18,
  SRTP_PROTECTION_PROFILES: 19,
  SRTP_MASTER_KEY_IDENTIFIER: 20,
  TOKEN_BINDING: 21,
  PRESHARED_KEY: 22,
  PRESHARED_KEY_IDENTITY: 23,
  DTLS_MTU: 24,
  SEND_GENERIC_TLS_EXTENSION: 25,
  SUBSCRIBE_GENERIC_TLS_EXTENSION: 26,
  FLAGS: 27,
  TRAFFIC_SECRETS: 28,
} as const;

/** Attribute bits OR-ed into SecBuffer.BufferType (SECBUFFER_READONLY etc.). */
export const SecBufferFlags = {
  READONLY_WITH_CHECKSUM: 0x10000000,
  RESERVED: 0x60000000,
  READONLY: 0x80000000,
} as const;

/** Mask of the attribute bits in SecBuffer.BufferType (SECBUFFER_ATTRMASK); `type & ~mask` is the SecBufferType. */
export const SECBUFFER_ATTRMASK = 0xf0000000;

/**
 * SCHANNEL_CRED / SCH_CREDENTIALS dwFlags. Names drop the SCH_CRED_ or SCH_
 * prefix. SCH_MACHINE_CERT_HASH is not here: it belongs to the dwFlags of
 * SCHANNEL_CERT_HASH, a different field with its own meaning for bit 0.
 */
export const SchCredFlags = {
  NO_SYSTEM_MAPPER: 0x00000002,
  NO_SERVERNAME_CHECK: 0x00000004,
  MANUAL_CRED_VALIDATION: 0x00000008,
  NO_DEFAULT_CREDS: 0x00000010,
  AUTO_CRED_VALIDATION: 0x00000020,
  USE_DEFAULT_CREDS: 0x00000040,
  DISABLE_RECONNECTS: 0x00000080,
  REVOCATION_CHECK_END_CERT: 0x00000100,
  REVOCATION_CHECK_CHAIN: 0x00000200,
  REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT: 0x00000400,
  IGNORE_NO_REVOCATION_CHECK: 0x00000800,
  IGNORE_REVOCATION_OFFLINE: 0x00001000,
  RESTRICTED_ROOTS: 0x00002000,
  REVOCATION_CHECK_CACHE_ONLY: 0x00004000,
  CACHE_ONLY_URL_RETRIEVAL: 0x00008000,
  MEMORY_STORE_CERT: 0x00010000,
  CACHE_ONLY_URL_RETRIEVAL_ON_CREATE: 0x00020000,
  SEND_ROOT_CERT: 0x00040000,
  SNI_CREDENTIAL: 0x00080000,
  SNI_ENABLE_OCSP: 0x00100000,
  SEND_AUX_RECORD: 0x00200000,
  USE_STRONG_CRYPTO: 0x00400000,
  USE_PRESHAREDKEY_ONLY: 0x00800000,
  USE_DTLS_ONLY: 0x01000000,
  ALLOW_NULL_ENCRYPTION: 0x02000000,
  // Not in MinGW's schannel.h. Value from the Windows SDK schannel.h as
  // published in the win32metadata-generated windows-rs crate
  // (Win32::Security::Authentication::Identity) and in microsoft/msquic
  // src/platform/tls_schannel.c: validate the chain but report the result
  // through SECPKG_ATTR_CERT_CHECK_RESULT instead of failing the handshake.
  DEFERRED_CRED_VALIDATION: 0x04000000,
} as const;

/**
 * SP_PROT_* protocol bits (grbitEnabledProtocols, SecPkgContext_ConnectionInfo.dwProtocol).
 * Where two header names share a value the explicit-version name comes
 * first (TLS1_0_CLIENT before TLS1_CLIENT), because flagNames() reports the
 * first name declared.
 */
export const SpProt = {
  NONE: 0,
  PCT1_SERVER: 0x00000001,
  PCT1_CLIENT: 0x00000002,
  PCT1: 0x00000003,
  SSL2_SERVER: 0x00000004,
  SSL2_CLIENT: 0x00000008,
  SSL2: 0x0000000c,
  SSL3_SERVER: 0x00000010,
  SSL3_CLIENT: 0x00000020,
  SSL3: 0x00000030,
  TLS1_0_SERVER: 0x00000040,
  TLS1_0_CLIENT: 0x00000080,
  TLS1_0: 0x000000c0,
  TLS1_SERVER: 0x00000040,
  TLS1_CLIENT: 0x00000080,
  TLS1: 0x000000c0,
  TLS1_1_SERVER: 0x00000100,
  TLS1_1_CLIENT: 0x00000200,
  TLS1_1: 0x00000300,
  TLS1_2_SERVER: 0x00000400,
  TLS1_2_CLIENT: 0x00000800,
  TLS1_2: 0x00000c00,
  TLS1_3_SERVER: 0x00001000,
  TLS1_3_CLIENT: 0x00002000,
  TLS1_3: 0x00003000,
  TLS1_3PLUS_SERVER: 0x00001000,
  TLS1_3PLUS_CLIENT: 0x00002000,
  TLS1_3PLUS: 0x00003000,
  DTLS1_0_SERVER: 0x00010000,
  DTLS1_0_CLIENT: 0x00020000,
  DTLS1_0: 0x00030000,
  DTLS_SERVER: 0x00010000,
  DTLS_CLIENT: 0x00020000,
  DTLS: 0x00030000,
  DTLS1_2_SERVER: 0x00040000,
  DTLS1_2_CLIENT: 0x00080000,
  DTLS1_2: 0x000c0000,
  DTLS1_X_SERVER: 0x00050000,
  DTLS1_X_CLIENT: 0x000a0000,
  DTLS1_X: 0x000f0000,
  SSL3TLS1_CLIENTS: 0x000000a0,
  SSL3TLS1_SERVERS: 0x00000050,
  SSL3TLS1: 0x000000f0,
  TLS1_1PLUS_SERVER: 0x00001500,
  TLS1_1PLUS_CLIENT: 0x00002a00,
  TLS1_1PLUS: 0x00003f00,
  TLS1_X_SERVER: 0x00001540,
  TLS1_X_CLIENT: 0x00002a80,
  TLS1_X: 0x00003fc0,
  SSL3TLS1_X_CLIENTS: 0x00002aa0,
  SSL3TLS1_X_SERVERS: 0x00001550,
  SSL3TLS1_X: 0x00003ff0,
  UNI_SERVER: 0x40000000,
  UNI_CLIENT: 0x80000000,
  UNI: 0xc0000000,
  CLIENTS: 0x800000aa,
  SERVERS: 0x40000055,
  X_CLIENTS: 0x800a2aaa,
  X_SERVERS: 0x40051555,
  ALL: 0xffffffff,
} as const;

/**
 * QueryContextAttributes ulAttribute ids (SECPKG_ATTR_*): the generic ones
 * from sspi.h, then the Schannel ones (0x50 and up) from schannel.h.
 */
export const SecPkgAttr = {
  SIZES: 0,
  NAMES: 1,
  LIFESPAN: 2,
  DCE_INFO: 3,
  STREAM_SIZES: 4,
  /** Same id as STREAM_SIZES; the DTLS spelling. */
  DATAGRAM_SIZES: 4,
  KEY_INFO: 5,
  AUTHORITY: 6,
  PROTO_INFO: 7,
  PASSWORD_EXPIRY: 8,
  SESSION_KEY: 9,
  PACKAGE_INFO: 10,
  USER_FLAGS: 11,
  NEGOTIATION_INFO: 12,
  NATIVE_NAMES: 13,
  FLAGS: 14,
  USE_VALIDATED: 15,
  CREDENTIAL_NAME: 16,
  TARGET_INFORMATION: 17,
  ACCESS_TOKEN: 18,
  TARGET: 19,
  AUTHENTICATION_ID: 20,
  LOGOFF_TIME: 21,
  NEGO_KEYS: 22,
  PROMPTING_NEEDED: 24,
  UNIQUE_BINDINGS: 25,
  ENDPOINT_BINDINGS: 26,
  CLIENT_SPECIFIED_TARGET: 27,
  LAST_CLIENT_TOKEN_STATUS: 30,
  NEGO_PKG_INFO: 31,
  NEGO_STATUS: 32,
  CONTEXT_DELETED: 33,
  DTLS_MTU: 34,
  APPLICATION_PROTOCOL: 35,
  NEGOTIATED_TLS_EXTENSIONS: 36,
  IS_LOOPBACK: 37,
  SUBJECT_SECURITY_ATTRIBUTES: 128,
  // schannel.h
  ISSUER_LIST: 0x50,
  REMOTE_CRED: 0x51,
  LOCAL_CRED: 0x52,
  REMOTE_CERT_CONTEXT: 0x53,
  LOCAL_CERT_CONTEXT: 0x54,
  ROOT_STORE: 0x55,
  SUPPORTED_ALGS: 0x56,
  CIPHER_STRENGTHS: 0x57,
  SUPPORTED_PROTOCOLS: 0x58,
  ISSUER_LIST_EX: 0x59,
  CONNECTION_INFO: 0x5a,
  EAP_KEY_BLOCK: 0x5b,
  MAPPED_CRED_ATTR: 0x5c,
  SESSION_INFO: 0x5d,
  APP_DATA: 0x5e,
  REMOTE_CERTIFICATES: 0x5f,
  CLIENT_CERT_POLICY: 0x60,
  CC_POLICY_RESULT: 0x61,
  USE_NCRYPT: 0x62,
  LOCAL_CERT_INFO: 0x63,
  CIPHER_INFO: 0x64,
  EAP_PRF_INFO: 0x65,
  SUPPORTED_SIGNATURES: 0x66,
  REMOTE_CERT_CHAIN: 0x67,
  UI_INFO: 0x68,
  EARLY_START: 0x69,
  KEYING_MATERIAL_INFO: 0x6a,
  KEYING_MATERIAL: 0x6b,
  SRTP_PARAMETERS: 0x6c,
  TOKEN_BINDING: 0x6d,
  CONNECTION_INFO_EX: 0x6e,
  KEYING_MATERIAL_TOKEN_BINDING: 0x6f,
  KEYING_MATERIAL_INPROC: 0x70,
  // Not in MinGW's schannel.h; values from the Windows SDK as published in
  // windows-rs (Win32::Security::Authentication::Identity) and microsoft/msquic.
  // They read the chain-validation result kept by SchCredFlags.DEFERRED_CRED_VALIDATION.
  CERT_CHECK_RESULT: 0x71,
  CERT_CHECK_RESULT_INPROC: 0x72,
} as const;

/**
 * ALG_ID values (CALG_*) that Schannel reports in SecPkgContext_ConnectionInfo
 * (aiCipher, aiHash, aiExch) or accepts in SCHANNEL_CRED.palgSupportedAlgs.
 * Computed in wincrypt.h as class | type | sid; note CALG_ECDH uses
 * ALG_TYPE_DH while CALG_ECDH_EPHEM uses ALG_TYPE_ECDH.
 */
export const AlgId = {
  // bulk ciphers (ALG_CLASS_DATA_ENCRYPT)
  NULLCIPHER: 0x6000,
  DES: 0x6601,
  RC2: 0x6602,
  '3DES': 0x6603,
  '3DES_112': 0x6609,
  AES_128: 0x660e,
  AES_192: 0x660f,
  AES_256: 0x6610,
  AES: 0x6611,
  RC4: 0x6801,
  // hashes (ALG_CLASS_HASH)
  MD5: 0x8003,
  SHA1: 0x8004,
  /** Same value as SHA1 (the older spelling). */
  SHA: 0x8004,
  SSL3_SHAMD5: 0x8008,
  HMAC: 0x8009,
  TLS1PRF: 0x800a,
  SHA_256: 0x800c,
  SHA_384: 0x800d,
  SHA_512: 0x800e,
  // signatures (ALG_CLASS_SIGNATURE)
  DSS_SIGN: 0x2200,
  ECDSA: 0x2203,
  RSA_SIGN: 0x2400,
  // key exchange (ALG_CLASS_KEY_EXCHANGE)
  ECMQV: 0xa001,
  RSA_KEYX: 0xa400,
  DH_SF: 0xaa01,
  DH_EPHEM: 0xaa02,
  ECDH: 0xaa05,
  ECDH_EPHEM: 0xae06,
} as const;

/** ApplyControlToken dwToken values (SCHANNEL_*): the first DWORD of the token buffer. */
export const SchannelControlToken = {
  RENEGOTIATE: 0,
  SHUTDOWN: 1,
  ALERT: 2,
  SESSION: 3,
} as const;

/** SCHANNEL_SESSION_TOKEN dwFlags (SSL_SESSION_*). */
export const SslSessionFlags = {
  ENABLE_RECONNECTS: 1,
  DISABLE_RECONNECTS: 2,
} as const;

/** SCHANNEL_ALERT_TOKEN dwAlertType (TLS1_ALERT_WARNING / TLS1_ALERT_FATAL). */
export const TlsAlertType = {
  WARNING: 1,
  FATAL: 2,
} as const;

/**
 * SCHANNEL_ALERT_TOKEN dwAlertNumber (TLS1_ALERT_*), the TLS alert
 * descriptions. INSUFFIENT_SECURITY is misspelt in the Windows header itself;
 * the name is kept so it can be searched for.
 */
export const TlsAlert = {
  CLOSE_NOTIFY: 0,
  UNEXPECTED_MESSAGE: 10,
  BAD_RECORD_MAC: 20,
  DECRYPTION_FAILED: 21,
  RECORD_OVERFLOW: 22,
  DECOMPRESSION_FAIL: 30,
  HANDSHAKE_FAILURE: 40,
  BAD_CERTIFICATE: 42,
  UNSUPPORTED_CERT: 43,
  CERTIFICATE_REVOKED: 44,
  CERTIFICATE_EXPIRED: 45,
  CERTIFICATE_UNKNOWN: 46,
  ILLEGAL_PARAMETER: 47,
  UNKNOWN_CA: 48,
  ACCESS_DENIED: 49,
  DECODE_ERROR: 50,
  DECRYPT_ERROR: 51,
  EXPORT_RESTRICTION: 60,
  PROTOCOL_VERSION: 70,
  INSUFFIENT_SECURITY: 71,
  INTERNAL_ERROR: 80,
  USER_CANCELED: 90,
  NO_RENEGOTIATION: 100,
  UNSUPPORTED_EXT: 110,
  UNKNOWN_PSK_IDENTITY: 115,
  NO_APP_PROTOCOL: 120,
} as const;

/** AcquireCredentialsHandle fCredentialUse (SECPKG_CRED_*). */
export const SecPkgCredUse = {
  INBOUND: 1,
  OUTBOUND: 2,
  BOTH: 3,
  DEFAULT: 4,
} as const;

/** TargetDataRep of InitializeSecurityContext/AcceptSecurityContext (SECURITY_*_DREP). Schannel ignores it; pass NATIVE_DREP. */
export const SecurityDrep = {
  NETWORK_DREP: 0x00000000,
  NATIVE_DREP: 0x00000010,
} as const;

// ---------------------------------------------------------------------------
// Helpers over the tables.

type FlagTable = Readonly<Record<string, number>>;

function toUint32(value: unknown, name: string): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw outOfRange(name, '>= -2147483648 && <= 4294967295', value);
  }
  return value >>> 0;
}

function popcount(v: number): number {
  let n = 0;
  for (let x = v >>> 0; x !== 0; x = (x & (x - 1)) >>> 0) n++;
  return n;
}

/**
 * The names of the flags set in `value`, in ascending value order. A
 * multi-bit entry (SpProt.TLS1_2 = both sides) is reported when all its bits
 * are set, and then the single-bit names it covers are left out; among names
 * sharing one value the first declared wins. Bits no name covers come last as
 * one `0x%08X` entry, so combineFlags(table, flagNames(table, v)) === v.
 * Signed int32 input is accepted (a DWORD with bit 31 set often arrives that way).
 */
/** A flag table: a non-null object whose values are numbers (one of the exported tables, or the caller's own). */
function validateFlagTable(table: unknown): asserts table is FlagTable {
  validateObject(table, 'table');
}

export function flagNames(table: FlagTable, value: number): string[] {
  validateFlagTable(table);
  let remaining = toUint32(value, 'value');
  const seen = new Set<number>();
  const candidates: { name: string; value: number; order: number }[] = [];
  let order = 0;
  for (const [name, raw] of Object.entries(table)) {
    const v = raw >>> 0;
    if (v === 0 || seen.has(v)) continue;
    seen.add(v);
    candidates.push({ name, value: v, order: order++ });
  }
  // Widest entries first so a composite name replaces its parts.
  candidates.sort((a, b) => popcount(b.value) - popcount(a.value) || a.order - b.order);
  const full = remaining;
  const picked: { name: string; value: number }[] = [];
  for (const c of candidates) {
    if ((full & c.value) >>> 0 !== c.value) continue;
    if ((remaining & c.value) === 0) continue;
    picked.push(c);
    remaining = (remaining & ~c.value) >>> 0;
  }
  picked.sort((a, b) => a.value - b.value);
  const names = picked.map((p) => p.name);
  if (remaining !== 0) names.push(`0x${remaining.toString(16).toUpperCase().padStart(8, '0')}`);
  return names;
}

const hexFlagPattern = /^0x[0-9a-f]{1,8}$/i;

/**
 * OR of the named flags. Accepts the `0x...` entries that flagNames() emits
 * for unnamed bits, so the two functions round-trip. Unknown names throw
 * ERR_INVALID_ARG_VALUE rather than being ignored, since a typo in a flag
 * name would otherwise silently weaken a security setting.
 */
export function combineFlags(table: FlagTable, names: readonly string[]): number {
  validateFlagTable(table);
  validateArray(names, 'names');
  let result = 0;
  names.forEach((name, i) => {
    if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(table, name)) {
      result |= table[name];
    } else if (typeof name === 'string' && hexFlagPattern.test(name)) {
      result |= Number.parseInt(name.slice(2), 16);
    } else {
      throw invalidArgValue(`names[${i}]`, name, 'is not a known flag name');
    }
  });
  return result >>> 0;
}

/** The first declared name with this value in an enumeration table (SecBufferType, AlgId, TlsAlert...), or undefined. */
export function enumName(table: FlagTable, value: number): string | undefined {
  validateFlagTable(table);
  for (const [name, v] of Object.entries(table)) if (v === value) return name;
  return undefined;
}

// ---------------------------------------------------------------------------
// Protocol versions, between SP_PROT_* bits and Node's names.

export type ProtocolName = 'TLSv1.3' | 'TLSv1.2' | 'TLSv1.1' | 'TLSv1' | 'SSLv3' | 'SSLv2' | 'DTLSv1.0' | 'DTLSv1.2';

// One row per protocol: Node's name and both SP_PROT bits.
const protocolRows: readonly { name: ProtocolName; client: number; server: number }[] = [
  { name: 'SSLv2', client: SpProt.SSL2_CLIENT, server: SpProt.SSL2_SERVER },
  { name: 'SSLv3', client: SpProt.SSL3_CLIENT, server: SpProt.SSL3_SERVER },
  { name: 'TLSv1', client: SpProt.TLS1_0_CLIENT, server: SpProt.TLS1_0_SERVER },
  { name: 'TLSv1.1', client: SpProt.TLS1_1_CLIENT, server: SpProt.TLS1_1_SERVER },
  { name: 'TLSv1.2', client: SpProt.TLS1_2_CLIENT, server: SpProt.TLS1_2_SERVER },
  { name: 'TLSv1.3', client: SpProt.TLS1_3_CLIENT, server: SpProt.TLS1_3_SERVER },
  { name: 'DTLSv1.0', client: SpProt.DTLS1_0_CLIENT, server: SpProt.DTLS1_0_SERVER },
  { name: 'DTLSv1.2', client: SpProt.DTLS1_2_CLIENT, server: SpProt.DTLS1_2_SERVER },
];

/**
 * Node's name for the protocol in `spProt` (as in SecPkgContext_ConnectionInfo.dwProtocol,
 * which holds the client or the server bit), or null when the value is 0,
 * mixes protocols, or names one Node has no name for (PCT 1.0).
 */
export function protocolName(spProt: number): ProtocolName | null {
  const v = toUint32(spProt, 'spProt');
  if (v === 0) return null;
  for (const row of protocolRows) {
    const mask = row.client | row.server;
    if ((v & ~mask) === 0) return row.name;
  }
  return null;
}

/** The versions Node accepts for minVersion/maxVersion, oldest first. */
export const tlsVersions = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof tlsVersions)[number];

/** Node's tls.DEFAULT_MIN_VERSION / DEFAULT_MAX_VERSION. */
export const DEFAULT_MIN_VERSION: TlsVersion = 'TLSv1.2';
export const DEFAULT_MAX_VERSION: TlsVersion = 'TLSv1.3';

function versionIndex(value: unknown, name: string, fallback: TlsVersion): number {
  // Like Node, null means "use the default" too.
  if (value === undefined || value === null) return tlsVersions.indexOf(fallback);
  if (typeof value !== 'string') throw invalidArgType(name, 'string', value);
  const index = (tlsVersions as readonly string[]).indexOf(value);
  if (index === -1) {
    throw invalidArgValue(name, value, `must be one of: ${tlsVersions.map((v) => `'${v}'`).join(', ')}`);
  }
  return index;
}

/**
 * The SP_PROT_*_CLIENT or _SERVER bits for every TLS version from `min` to
 * `max` inclusive (Node's minVersion/maxVersion; defaults TLSv1.2 and
 * TLSv1.3). A range that is empty, including an explicit maxVersion below the
 * default minimum, is a RangeError here rather than a handshake that fails
 * later with "no protocols available", which is what Node does.
 */
export function protocolsBetween(
  min: string | undefined,
  max: string | undefined,
  side: 'client' | 'server',
): number {
  validateOneOf(side, 'side', ['client', 'server'] as const);
  const lo = versionIndex(min, 'minVersion', DEFAULT_MIN_VERSION);
  const hi = versionIndex(max, 'maxVersion', DEFAULT_MAX_VERSION);
  if (lo > hi) {
    throw invalidArgValueRange(
      'minVersion',
      tlsVersions[lo],
      `must not be above maxVersion ('${tlsVersions[hi]}')`,
    );
  }
  let bits = 0;
  for (let i = lo; i <= hi; i++) {
    const row = protocolRows.find((r) => r.name === tlsVersions[i]);
    if (row) bits |= side === 'client' ? row.client : row.server;
  }
  return bits >>> 0;
}

// The tables are the package's vocabulary: frozen, so no caller can change what a name means.
for (const table of [tlsVersions, IscReq, IscRet, AscReq, AscRet, SecBufferType, SecBufferFlags, SchCredFlags, SpProt, SecPkgAttr, AlgId, SchannelControlToken, SslSessionFlags, TlsAlertType, TlsAlert, SecPkgCredUse, SecurityDrep]) Object.freeze(table);
