// Certificate chain verification by Windows' own chain engine (crypt32), with Node's verdicts:
// `authorized`, and an error whose `code` is the one node:tls would give (CERT_HAS_EXPIRED,
// ERR_TLS_CERT_ALTNAME_INVALID, ...) while `status`/`statusName` keep what Windows said.
// The code mapping is documented in lib/certs/README.md. After crypt32, strength.ts applies
// node:tls's security level (key sizes, signature digests), which crypt32 does not enforce.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity, type DetailedPeerCertificate } from 'node:tls';
import { types } from 'node:util';
import { native, type NativeVerifiedElement, type NativeVerifyRequest, type NativeVerifyResult } from '../native';
import { SchannelError, invalidArgType, invalidArgValue } from '../sspi/errors';
import { SecStatus, describeStatus } from '../sspi/status';
import { validateArray, validateBufferLike, validateObject, validateOneOf, validateString, validateHostName, validateUint32 } from '../sspi/validate';
import { checkChainStrength, defaultSecurityLevel, validateSecurityLevel } from './strength';
import { peerCertificateObject } from './x509';

export type VerifyRole = 'server' | 'client';
export type RevocationMode = 'strict' | 'best-effort' | 'off';

export interface VerifyCertificateChainOptions {
  /** The certificates the peer presented, DER, leaf first. */
  chain: readonly Uint8Array[];
  /** Name (DNS) or IP address the leaf must be valid for. Server role only; omitted: no name check. */
  host?: string;
  /** Whose certificate this is: 'server' (default; serverAuth usage) or 'client' (clientAuth usage). */
  role?: VerifyRole;
  /** Trusted roots replacing the system's, as Node's `ca`: PEM text (one or more certificates) or DER. */
  ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** 'best-effort' (default): cached revocation data only, revoked is an error, unknown is not.
   *  'strict': online checks, any revocation failure is an error. 'off': no revocation checks. */
  revocation?: RevocationMode;
  /** Verify as of this time instead of now. */
  time?: Date;
  /**
   * OpenSSL's security level, applied after crypt32 has accepted the chain, as node:tls applies it:
   * 1 refuses RSA/DSA keys below 1024 bits, EC keys below 160 and MD5/SHA-1 signatures; 2 refuses
   * RSA/DSA keys below 2048 and EC keys below 224 as well; 3 to 5 go up to 256-bit security;
   * 0 checks nothing (node:tls's `ciphers: 'DEFAULT@SECLEVEL=0'`). Default: node:tls's level in
   * the running Node (2 from Node 24.5, 1 before).
   */
  securityLevel?: number;
}

export interface TrustStatus {
  /** CERT_CHAIN_CONTEXT.TrustStatus.dwErrorStatus, as crypt32 reported it. */
  errorStatus: number;
  /** CERT_CHAIN_CONTEXT.TrustStatus.dwInfoStatus. */
  infoStatus: number;
  /** The CERT_TRUST_* names of errorStatus's bits. */
  errorNames: string[];
  /** The CERT_TRUST_* names of infoStatus's bits. */
  infoNames: string[];
  /** The error bits that count for this request (revocation mode, caller roots): see README. */
  effectiveErrorStatus: number;
}

export interface VerifyOutcome {
  authorized: boolean;
  error: VerificationError | null;
  /** The chain crypt32 built, leaf to root (DER). */
  chain: Buffer[];
  trustStatus: TrustStatus;
  /** CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL)'s dwError (0: passed). */
  policyStatus: number;
  /** The self-signed certificate the chain ended in, or null for a partial chain. */
  anchor: Buffer | null;
  /** Whether that anchor is one of `ca`. */
  anchorIsCallerRoot: boolean;
  /** How the chain was built: the system's engine, an exclusive-root engine for `ca`, or the
   *  fallback with `ca` as extra certificates (where the exclusive engine is unavailable, e.g. Wine). */
  engine: 'default' | 'exclusive-root' | 'additional-store';
}

/** A certificate that failed verification: `code` is Node's, `status`/`statusName` are Windows'. */
export class VerificationError extends SchannelError {
  /** Index in the built chain (0 = leaf) of the certificate at fault, where known (OpenSSL's depth). */
  declare readonly depth?: number;
  /** ERR_TLS_CERT_ALTNAME_INVALID only, as in Node: the reason, the host, the peer certificate. */
  declare readonly reason?: string;
  declare readonly host?: string;
  declare readonly cert?: DetailedPeerCertificate;
}

Object.defineProperty(VerificationError.prototype, 'name', {
  value: 'VerificationError',
  writable: true,
  enumerable: false,
  configurable: true,
});

// CERT_TRUST_* bits (wincrypt.h).
export const CertTrustError = {
  CERT_TRUST_IS_NOT_TIME_VALID: 0x00000001,
  CERT_TRUST_IS_NOT_TIME_NESTED: 0x00000002,
  CERT_TRUST_IS_REVOKED: 0x00000004,
  CERT_TRUST_IS_NOT_SIGNATURE_VALID: 0x00000008,
  CERT_TRUST_IS_NOT_VALID_FOR_USAGE: 0x00000010,
  CERT_TRUST_IS_UNTRUSTED_ROOT: 0x00000020,
  CERT_TRUST_REVOCATION_STATUS_UNKNOWN: 0x00000040,
  CERT_TRUST_IS_CYCLIC: 0x00000080,
  CERT_TRUST_INVALID_EXTENSION: 0x00000100,
  CERT_TRUST_INVALID_POLICY_CONSTRAINTS: 0x00000200,
  CERT_TRUST_INVALID_BASIC_CONSTRAINTS: 0x00000400,
  CERT_TRUST_INVALID_NAME_CONSTRAINTS: 0x00000800,
  CERT_TRUST_HAS_NOT_SUPPORTED_NAME_CONSTRAINT: 0x00001000,
  CERT_TRUST_HAS_NOT_DEFINED_NAME_CONSTRAINT: 0x00002000,
  CERT_TRUST_HAS_NOT_PERMITTED_NAME_CONSTRAINT: 0x00004000,
  CERT_TRUST_HAS_EXCLUDED_NAME_CONSTRAINT: 0x00008000,
  CERT_TRUST_IS_PARTIAL_CHAIN: 0x00010000,
  CERT_TRUST_CTL_IS_NOT_TIME_VALID: 0x00020000,
  CERT_TRUST_CTL_IS_NOT_SIGNATURE_VALID: 0x00040000,
  CERT_TRUST_CTL_IS_NOT_VALID_FOR_USAGE: 0x00080000,
  CERT_TRUST_HAS_WEAK_SIGNATURE: 0x00100000,
  CERT_TRUST_IS_OFFLINE_REVOCATION: 0x01000000,
  CERT_TRUST_NO_ISSUANCE_CHAIN_POLICY: 0x02000000,
  CERT_TRUST_IS_EXPLICIT_DISTRUST: 0x04000000,
  CERT_TRUST_HAS_NOT_SUPPORTED_CRITICAL_EXT: 0x08000000,
} as const;

export const CertTrustInfo = {
  CERT_TRUST_HAS_EXACT_MATCH_ISSUER: 0x00000001,
  CERT_TRUST_HAS_KEY_MATCH_ISSUER: 0x00000002,
  CERT_TRUST_HAS_NAME_MATCH_ISSUER: 0x00000004,
  CERT_TRUST_IS_SELF_SIGNED: 0x00000008,
  CERT_TRUST_AUTO_UPDATE_CA_REVOCATION: 0x00000010,
  CERT_TRUST_AUTO_UPDATE_END_REVOCATION: 0x00000020,
  CERT_TRUST_NO_OCSP_FAILOVER_TO_CRL: 0x00000040,
  CERT_TRUST_IS_KEY_ROLLOVER: 0x00000080,
  CERT_TRUST_HAS_PREFERRED_ISSUER: 0x00000100,
  CERT_TRUST_HAS_ISSUANCE_CHAIN_POLICY: 0x00000200,
  CERT_TRUST_HAS_VALID_NAME_CONSTRAINTS: 0x00000400,
  CERT_TRUST_IS_PEER_TRUSTED: 0x00000800,
  CERT_TRUST_HAS_CRL_VALIDITY_EXTENDED: 0x00001000,
  CERT_TRUST_IS_FROM_EXCLUSIVE_TRUST_STORE: 0x00002000,
  CERT_TRUST_IS_CA_TRUSTED: 0x00004000,
  CERT_TRUST_IS_COMPLEX_CHAIN: 0x00010000,
} as const;

function bitNames(bits: number, table: Record<string, number>): string[] {
  const names: string[] = [];
  let rest = bits >>> 0;
  for (const [name, bit] of Object.entries(table)) {
    if ((rest & bit) !== 0) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) names.push(`0x${rest.toString(16).toUpperCase().padStart(8, '0')}`);
  return names;
}

/** The CERT_TRUST_* names of a dwErrorStatus value; unknown bits as hex. */
export function trustErrorNames(errorStatus: number): string[] {
  validateUint32(errorStatus, 'errorStatus');
  return bitNames(errorStatus, CertTrustError);
}

/** The CERT_TRUST_* names of a dwInfoStatus value; unknown bits as hex. */
export function trustInfoNames(infoStatus: number): string[] {
  validateUint32(infoStatus, 'infoStatus');
  return bitNames(infoStatus, CertTrustInfo);
}

// ---------------------------------------------------------------------------
// Arguments

const roles: readonly VerifyRole[] = ['server', 'client'];
/** Every `revocation` value, for every place that takes the option. */
export const revocationModes: readonly RevocationMode[] = ['best-effort', 'strict', 'off'];
const pemCertificate = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----/g;

function pemBlocks(text: string): Buffer[] {
  return [...text.matchAll(pemCertificate)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

// One `ca` entry: PEM text (string or bytes that start with "-----BEGIN") or one DER certificate.
function caEntry(value: unknown, name: string): Buffer[] {
  if (typeof value === 'string') {
    const blocks = pemBlocks(value);
    if (blocks.length === 0) throw invalidArgValue(name, value, 'must contain at least one PEM certificate');
    return blocks;
  }
  if (!Buffer.isBuffer(value) && !ArrayBuffer.isView(value) && !types.isArrayBuffer(value)) {
    throw invalidArgType(name, ['string', 'Buffer', 'TypedArray', 'DataView', 'ArrayBuffer'], value);
  }
  const bytes = validateBufferLike(value, name);
  const head = bytes.subarray(0, 64).toString('latin1').trimStart();
  if (head.startsWith('-----BEGIN')) {
    const blocks = pemBlocks(bytes.toString('latin1'));
    if (blocks.length === 0) throw invalidArgValue(name, value, 'must contain at least one PEM certificate');
    return blocks;
  }
  if (bytes.length === 0) throw invalidArgValue(name, value, 'must not be empty');
  return [Buffer.from(bytes)];
}

// Parsed `ca` options, by content, most recently used last. connect() is usually called with the
// same roots every time (often a PEM string read once, or even anew each time): parsing them per
// connection cost time, and each connection kept its own copy of the DER, as slices of Buffer's
// shared pool that kept a whole pool slab alive (measured: 3 KiB of external memory per idle
// connection with one root). The cached certificates have ArrayBuffers of their own.
const CA_CACHE_ENTRIES = 16;
const caCache = new Map<string, readonly Buffer[]>();

/** The cache key of a `ca` option: strings by their text, bytes by their SHA-256; undefined if an entry is neither. */
function caCacheKey(entries: readonly unknown[]): string | undefined {
  let key = '';
  for (const entry of entries) {
    if (typeof entry === 'string') key += `s${entry.length}:${entry}`;
    else if (ArrayBuffer.isView(entry) || types.isArrayBuffer(entry)) {
      const bytes = ArrayBuffer.isView(entry) ? new Uint8Array(entry.buffer, entry.byteOffset, entry.byteLength) : new Uint8Array(entry);
      key += `b${createHash('sha256').update(bytes).digest('base64')}`;
    } else return undefined; // parsed below, to throw the argument error
  }
  return key;
}

/** A copy with an ArrayBuffer of its own, so that it keeps no pool slab alive. */
function ownCopy(der: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(der.length);
  der.copy(copy);
  return copy;
}

/** A `ca` option (PEM or DER, one or a list) as DER certificates, each entry checked; the same roots are parsed once. */
function caCertificates(ca: unknown, name: string): Buffer[] {
  const entries = Array.isArray(ca) ? ca : [ca];
  const key = caCacheKey(entries);
  const cached = key === undefined ? undefined : caCache.get(key);
  if (cached) {
    caCache.delete(key!);
    caCache.set(key!, cached);
    return [...cached]; // the caller's own array; the certificates are shared and never written
  }
  const parsed = entries.flatMap((entry, i) => caEntry(entry, Array.isArray(ca) ? `${name}[${i}]` : name)).map(ownCopy);
  if (key !== undefined) {
    caCache.set(key, parsed);
    if (caCache.size > CA_CACHE_ENTRIES) caCache.delete(caCache.keys().next().value!);
  }
  return [...parsed];
}

/**
 * connect()'s and createServer()'s `ca` (strings and Buffers, as node:tls takes them) as DER
 * certificates, parsed once for every connection. An entry without a certificate in it is
 * ERR_INVALID_ARG_VALUE now rather than a failure after a handshake (node:tls takes it silently
 * and then trusts nothing). undefined stays undefined.
 */
export function tlsCaOption(ca: unknown): Buffer[] | undefined {
  if (ca === undefined) return undefined;
  (Array.isArray(ca) ? ca : [ca]).forEach((entry, i) => {
    if (typeof entry !== 'string' && !Buffer.isBuffer(entry)) throw invalidArgType(`options.ca[${i}]`, ['string', 'Buffer'], entry);
  });
  return caCertificates(ca, 'options.ca');
}

function ipv4Bytes(text: string): Buffer {
  return Buffer.from(text.split('.').map((part) => Number(part)));
}

// net.isIP() has accepted the text; a zone ("%eth0") is dropped and an IPv4 tail is folded in.
function ipv6Bytes(text: string): Buffer {
  let address = text.split('%')[0];
  const lastColon = address.lastIndexOf(':');
  const last = address.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = ipv4Bytes(last);
    address = `${address.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const [head, tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === undefined
    ? headGroups
    : [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}

interface Prepared {
  request: NativeVerifyRequest;
  host: string | undefined;
  hasCallerRoots: boolean;
  securityLevel: number;
}

function prepare(options: unknown): Prepared {
  validateObject(options, 'options');
  const { chain, host, role = 'server', ca, revocation = 'best-effort', time, securityLevel = defaultSecurityLevel() } = options as Record<string, unknown>;
  validateArray(chain, 'options.chain', 1);
  const der = chain.map((entry, i) => validateBufferLike(entry, `options.chain[${i}]`));
  validateOneOf(role, 'options.role', roles);
  validateOneOf(revocation, 'options.revocation', revocationModes);
  const request: NativeVerifyRequest = {
    chain: der,
    role: role === 'client' ? 1 : 0,
    revocation: revocation === 'off' ? 0 : revocation === 'strict' ? 2 : 1,
  };
  if (host !== undefined) {
    validateHostName(host, 'options.host');
    const family = isIP(host);
    if (family === 4) request.hostAddress = ipv4Bytes(host);
    else if (family === 6) request.hostAddress = ipv6Bytes(host);
    else request.hostName = host;
  }
  let hasCallerRoots = false;
  if (ca !== undefined) {
    hasCallerRoots = true;
    request.roots = caCertificates(ca, 'options.ca');
  }
  if (time !== undefined) {
    if (!types.isDate(time)) throw invalidArgType('options.time', 'Date', time);
    if (Number.isNaN(time.getTime())) throw invalidArgValue('options.time', time, 'must be a valid date');
    request.time = time.getTime();
  }
  validateSecurityLevel(securityLevel, 'options.securityLevel');
  return { request, host: typeof host === 'string' ? host : undefined, hasCallerRoots, securityLevel };
}

// ---------------------------------------------------------------------------
// Verdict: CERT_TRUST_* bits and the SSL policy's status to Node's codes (README.md has the table).

const nodeMessages: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  CERT_REVOKED: 'certificate revoked',
  UNABLE_TO_GET_CRL: 'unable to get certificate CRL',
  CERT_REJECTED: 'certificate rejected',
  INVALID_PURPOSE: 'unsuitable certificate purpose',
  INVALID_CA: 'invalid CA certificate',
  PATH_LENGTH_EXCEEDED: 'path length constraint exceeded',
  UNHANDLED_CRITICAL_EXTENSION: 'unhandled critical extension',
  INVALID_EXTENSION: 'invalid or inconsistent certificate extension',
  PERMITTED_VIOLATION: 'permitted subtree violation',
  EXCLUDED_VIOLATION: 'excluded subtree violation',
  INVALID_POLICY_EXTENSION: 'invalid or inconsistent certificate policy extension',
  NO_EXPLICIT_POLICY: 'no explicit policy',
  // strength.ts (node:tls names these UNSPECIFIED; the codes are OpenSSL's names)
  EE_KEY_TOO_SMALL: 'EE certificate key too weak',
  CA_KEY_TOO_SMALL: 'CA certificate key too weak',
  CA_MD_TOO_WEAK: 'CA signature digest algorithm too weak',
};

const T = CertTrustError;
const S = SecStatus;

interface Verdict {
  code: string;
  /** Windows' status; none for strength.ts's verdicts, which Windows did not reach. */
  status?: number;
  depth?: number;
  functionName?: string;
}

// Untrusted or incomplete chain: which of OpenSSL's four answers Node would give.
function chainVerdict(result: NativeVerifyResult, status: number, functionName: string): Verdict {
  const chain = result.chain ?? [];
  const top = chain[chain.length - 1];
  if (result.complete && top?.presented) {
    // The chain ends in a self-signed certificate the peer sent, and it is not trusted.
    return { code: chain.length === 1 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN', status, depth: chain.length - 1, functionName };
  }
  // No trusted issuer for the last certificate Node would have had (the presented ones).
  let known = 0;
  while (known < chain.length && chain[known].presented) known++;
  const depth = Math.max(known - 1, 0);
  return { code: known <= 1 ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', status, depth, functionName };
}

function firstElement(chain: readonly NativeVerifiedElement[], bits: number): number {
  const index = chain.findIndex((element) => (element.errorStatus & bits) !== 0);
  return index === -1 ? 0 : index;
}

function timeVerdict(chain: readonly NativeVerifiedElement[], status: number, functionName: string): Verdict {
  const depth = firstElement(chain, T.CERT_TRUST_IS_NOT_TIME_VALID);
  const notYet = chain[depth]?.timeValidity === -1;
  return { code: notYet ? 'CERT_NOT_YET_VALID' : 'CERT_HAS_EXPIRED', status, depth, functionName };
}

// From the chain's trust bits, in the order that makes the result Node's: OpenSSL reports the last
// error its verification met, and it checks issuers, then extensions, revocation, then signatures
// and validity dates (the leaf last).
function trustVerdict(result: NativeVerifyResult, bits: number): Verdict | null {
  const chain = result.chain ?? [];
  const fn = 'CertGetCertificateChain';
  const at = (mask: number): number => firstElement(chain, mask);
  if (bits & T.CERT_TRUST_IS_NOT_TIME_VALID) return timeVerdict(chain, S.CERT_E_EXPIRED, fn);
  if (bits & T.CERT_TRUST_IS_NOT_SIGNATURE_VALID) return { code: 'CERT_SIGNATURE_FAILURE', status: S.TRUST_E_CERT_SIGNATURE, depth: at(T.CERT_TRUST_IS_NOT_SIGNATURE_VALID), functionName: fn };
  if (bits & T.CERT_TRUST_IS_REVOKED) return { code: 'CERT_REVOKED', status: S.CRYPT_E_REVOKED, depth: at(T.CERT_TRUST_IS_REVOKED), functionName: fn };
  if (bits & T.CERT_TRUST_IS_OFFLINE_REVOCATION) return { code: 'UNABLE_TO_GET_CRL', status: S.CRYPT_E_REVOCATION_OFFLINE, depth: at(T.CERT_TRUST_IS_OFFLINE_REVOCATION), functionName: fn };
  if (bits & T.CERT_TRUST_REVOCATION_STATUS_UNKNOWN) return { code: 'UNABLE_TO_GET_CRL', status: S.CRYPT_E_NO_REVOCATION_CHECK, depth: at(T.CERT_TRUST_REVOCATION_STATUS_UNKNOWN), functionName: fn };
  if (bits & T.CERT_TRUST_IS_EXPLICIT_DISTRUST) return { code: 'CERT_REJECTED', status: S.TRUST_E_EXPLICIT_DISTRUST, depth: at(T.CERT_TRUST_IS_EXPLICIT_DISTRUST), functionName: fn };
  if (bits & (T.CERT_TRUST_IS_PARTIAL_CHAIN | T.CERT_TRUST_IS_CYCLIC)) return chainVerdict(result, S.CERT_E_CHAINING, fn);
  if (bits & T.CERT_TRUST_IS_UNTRUSTED_ROOT) return chainVerdict(result, S.CERT_E_UNTRUSTEDROOT, fn);
  if (bits & T.CERT_TRUST_IS_NOT_VALID_FOR_USAGE) return { code: 'INVALID_PURPOSE', status: S.CERT_E_WRONG_USAGE, depth: at(T.CERT_TRUST_IS_NOT_VALID_FOR_USAGE), functionName: fn };
  if (bits & T.CERT_TRUST_INVALID_BASIC_CONSTRAINTS) return { code: 'INVALID_CA', status: S.TRUST_E_BASIC_CONSTRAINTS, depth: at(T.CERT_TRUST_INVALID_BASIC_CONSTRAINTS), functionName: fn };
  if (bits & T.CERT_TRUST_HAS_NOT_SUPPORTED_CRITICAL_EXT) return { code: 'UNHANDLED_CRITICAL_EXTENSION', status: S.CERT_E_CRITICAL, depth: at(T.CERT_TRUST_HAS_NOT_SUPPORTED_CRITICAL_EXT), functionName: fn };
  if (bits & T.CERT_TRUST_HAS_EXCLUDED_NAME_CONSTRAINT) return { code: 'EXCLUDED_VIOLATION', status: S.CERT_E_INVALID_NAME, depth: at(T.CERT_TRUST_HAS_EXCLUDED_NAME_CONSTRAINT), functionName: fn };
  const nameBits = T.CERT_TRUST_INVALID_NAME_CONSTRAINTS | T.CERT_TRUST_HAS_NOT_SUPPORTED_NAME_CONSTRAINT |
    T.CERT_TRUST_HAS_NOT_DEFINED_NAME_CONSTRAINT | T.CERT_TRUST_HAS_NOT_PERMITTED_NAME_CONSTRAINT;
  if (bits & nameBits) return { code: 'PERMITTED_VIOLATION', status: S.CERT_E_INVALID_NAME, depth: at(nameBits), functionName: fn };
  if (bits & T.CERT_TRUST_INVALID_POLICY_CONSTRAINTS) return { code: 'INVALID_POLICY_EXTENSION', status: S.CERT_E_INVALID_POLICY, depth: at(T.CERT_TRUST_INVALID_POLICY_CONSTRAINTS), functionName: fn };
  if (bits & T.CERT_TRUST_NO_ISSUANCE_CHAIN_POLICY) return { code: 'NO_EXPLICIT_POLICY', status: S.CERT_E_INVALID_POLICY, depth: at(T.CERT_TRUST_NO_ISSUANCE_CHAIN_POLICY), functionName: fn };
  if (bits & T.CERT_TRUST_INVALID_EXTENSION) return { code: 'INVALID_EXTENSION', status: S.CERT_E_MALFORMED, depth: at(T.CERT_TRUST_INVALID_EXTENSION), functionName: fn };
  if (bits !== 0) {
    // CTL and weak-signature bits: no OpenSSL counterpart; the policy's status names it if it failed.
    const status = result.policyStatus || S.TRUST_E_FAIL;
    return { code: windowsCode(status), status, depth: at(bits), functionName: fn };
  }
  return null;
}

// The code of a Windows status with no Node counterpart, as SchannelError.fromStatus names it.
function windowsCode(status: number): string {
  return SchannelError.fromStatus(status, 'CertVerifyCertificateChainPolicy').code;
}

// From the SSL policy's status when the trust bits were clean (or to confirm them).
function policyVerdict(result: NativeVerifyResult, status: number): Verdict {
  const fn = 'CertVerifyCertificateChainPolicy';
  const depth = result.policyElementIndex !== undefined && result.policyElementIndex >= 0 ? result.policyElementIndex : undefined;
  const simple = (code: string): Verdict => ({ code, status, depth, functionName: fn });
  switch (status >>> 0) {
    case S.CERT_E_EXPIRED:
      return timeVerdict(result.chain ?? [], status, fn);
    case S.CERT_E_UNTRUSTEDROOT:
    case S.CERT_E_UNTRUSTEDTESTROOT:
    case S.CERT_E_CHAINING:
      return chainVerdict(result, status, fn);
    case S.CERT_E_CN_NO_MATCH:
      return simple('ERR_TLS_CERT_ALTNAME_INVALID');
    case S.CRYPT_E_REVOKED:
    case S.CERT_E_REVOKED:
      return simple('CERT_REVOKED');
    case S.CERT_E_REVOCATION_FAILURE:
    case S.CRYPT_E_NO_REVOCATION_CHECK:
    case S.CRYPT_E_REVOCATION_OFFLINE:
      return simple('UNABLE_TO_GET_CRL');
    case S.CERT_E_WRONG_USAGE:
    case S.CERT_E_PURPOSE:
      return simple('INVALID_PURPOSE');
    case S.TRUST_E_CERT_SIGNATURE:
      return simple('CERT_SIGNATURE_FAILURE');
    case S.TRUST_E_BASIC_CONSTRAINTS:
    case S.CERT_E_ROLE:
      return simple('INVALID_CA');
    case S.CERT_E_PATHLENCONST:
      return simple('PATH_LENGTH_EXCEEDED');
    case S.TRUST_E_EXPLICIT_DISTRUST:
      return simple('CERT_REJECTED');
    case S.CERT_E_CRITICAL:
      return simple('UNHANDLED_CRITICAL_EXTENSION');
    case S.CERT_E_INVALID_NAME:
      return simple('PERMITTED_VIOLATION');
    case S.CERT_E_INVALID_POLICY:
      return simple('INVALID_POLICY_EXTENSION');
    default:
      return simple(windowsCode(status));
  }
}

function altNameError(result: NativeVerifyResult, host: string, verdict: Verdict): VerificationError {
  const cert = peerCertificateObject((result.chain ?? []).map((e) => e.der), true) as DetailedPeerCertificate;
  // Node's own wording for the mismatch (it reads the same certificate object).
  const nodeError = checkServerIdentity(host, cert) as (Error & { reason?: string }) | undefined;
  const reason = nodeError?.reason ?? `Host: ${host}. is not in the cert's altnames: ${cert.subjectaltname ?? ''}`;
  const message = nodeError?.message ?? `Hostname/IP does not match certificate's altnames: ${reason}`;
  return new VerificationError(message, {
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    status: verdict.status,
    functionName: verdict.functionName,
    depth: 0,
    reason,
    host,
    cert,
  });
}

function toOutcome(result: NativeVerifyResult, prepared: Prepared): VerifyOutcome {
  if (result.status !== 0) {
    const failed = result.failedIndex ?? -1;
    const chainLength = prepared.request.chain.length;
    const certificate = failed < 0 ? undefined : failed < chainLength ? `options.chain[${failed}]` : 'options.ca';
    throw SchannelError.fromStatus(result.status, result.failedFunction || 'CertGetCertificateChain', undefined,
      certificate === undefined ? undefined : { certificate });
  }
  const chain = result.chain ?? [];
  const effective = (result.effectiveErrorStatus ?? 0) >>> 0;
  const policyStatus = (result.policyStatus ?? 0) >>> 0;
  let verdict = trustVerdict(result, effective);
  if (verdict !== null && policyStatus !== 0) {
    // Keep Windows' own status where the policy reported the same problem.
    const fromPolicy = policyVerdict(result, policyStatus);
    if (fromPolicy.code === verdict.code) verdict = { ...verdict, status: policyStatus };
  }
  if (verdict === null && policyStatus !== 0) verdict = policyVerdict(result, policyStatus);
  if (verdict === null && result.addressChecked && !result.addressMatched) {
    verdict = { code: 'ERR_TLS_CERT_ALTNAME_INVALID', status: S.CERT_E_CN_NO_MATCH, depth: 0 };
  }
  // The security level, once crypt32 has accepted the chain. A name mismatch does not stop it:
  // node:tls checks the name only when OpenSSL's verification (which includes these) passed.
  if (prepared.securityLevel > 0 && (verdict === null || verdict.code === 'ERR_TLS_CERT_ALTNAME_INVALID')) {
    const weak = checkChainStrength(chain.map((e) => e.der), prepared.securityLevel, result.complete === true);
    if (weak !== null) verdict = { code: weak.code, depth: weak.depth };
  }

  let error: VerificationError | null = null;
  if (verdict !== null) {
    if (verdict.code === 'ERR_TLS_CERT_ALTNAME_INVALID' && prepared.host !== undefined) {
      error = altNameError(result, prepared.host, verdict);
    } else {
      const message = nodeMessages[verdict.code] ?? describeStatus(verdict.status ?? S.TRUST_E_FAIL);
      error = new VerificationError(message, {
        code: verdict.code,
        status: verdict.status,
        functionName: verdict.functionName,
        ...(verdict.depth === undefined ? {} : { depth: verdict.depth }),
      });
    }
  }

  const top = chain[chain.length - 1];
  return {
    authorized: error === null,
    error,
    chain: chain.map((e) => e.der),
    trustStatus: {
      errorStatus: (result.errorStatus ?? 0) >>> 0,
      infoStatus: (result.infoStatus ?? 0) >>> 0,
      errorNames: trustErrorNames(result.errorStatus ?? 0),
      infoNames: trustInfoNames(result.infoStatus ?? 0),
      effectiveErrorStatus: effective,
    },
    policyStatus,
    anchor: result.complete && top ? top.der : null,
    anchorIsCallerRoot: result.anchorIsCallerRoot === true,
    engine: result.engine ?? 'default',
  };
}

/**
 * Verifies a peer's certificate chain with Windows' chain engine and SSL policy, on the thread pool
 * (chain building may fetch revocation data or missing issuers from the network). Argument errors
 * reject with Node's TypeError codes; a failed verification resolves with `authorized: false` and
 * `error`; a certificate that cannot be decoded rejects with a SchannelError (CRYPT_E_ASN1_*).
 */
export async function verifyCertificateChain(options: VerifyCertificateChainOptions): Promise<VerifyOutcome> {
  const prepared = prepare(options);
  const result = await native().verifyCertificateChain(prepared.request);
  return toOutcome(result, prepared);
}

/** verifyCertificateChain on the calling thread: blocks it while the chain is built. */
export function verifyCertificateChainSync(options: VerifyCertificateChainOptions): VerifyOutcome {
  const prepared = prepare(options);
  return toOutcome(native().verifyCertificateChainSync(prepared.request), prepared);
}

Object.freeze(CertTrustError);
Object.freeze(CertTrustInfo);
