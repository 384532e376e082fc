// Key sizes and signature digests of a chain crypt32 has already accepted, judged as node:tls's
// OpenSSL judges them at its security level ("auth level"): an RSA/DSA key below 2048 bits, an EC
// key below 224 bits (level 2), or a certificate signed with MD5 or SHA-1 (level 1 and up) fails.
//
// Why this exists: crypt32 alone does not refuse these. Wine's chain engine accepts a 512-bit RSA
// leaf and a SHA-1-signed chain (measured); Windows' weak-signature rules are aimed at its root
// program's roots, likely not a root the caller supplies, and its RSA floor is 1024 bits, below
// node:tls's 2048. So a peer node:tls refuses could be `authorized` here. verify.ts runs this after
// crypt32 has passed the chain, on Windows too, so the verdict is node:tls's wherever it runs.
//
// The rules are OpenSSL's (crypto/x509/x509_vfy.c: check_key_level, check_sig_level,
// check_auth_level; security bits as EVP_PKEY_get_security_bits and X509_get_signature_info give
// them), measured against node:tls in Linux node 20 and Windows node.exe 22, 24 and 26:
// - the leaf's key first (EE_KEY_TOO_SMALL), then, leaf to root, each CA's key (CA_KEY_TOO_SMALL,
//   the trust anchor's included) and each certificate's signature (CA_MD_TOO_WEAK), except the trust
//   anchor's own self-signature, which OpenSSL never looks at;
// - OpenSSL reports the last problem it met, so the last failure in that order is the one returned.
// node:tls itself names all three `code: 'UNSPECIFIED'` (its table of verify errors stops short of
// them); the message is the same, and the code here is OpenSSL's own name for the error.
//
// A key or signature algorithm node:crypto cannot read (or this file does not know) is not judged:
// crypt32 accepted it, and every weak digest OpenSSL refuses is in the table below.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { validateInt32 } from '../sspi/validate';
import { decodeOid, OID, tryReadTlv, type Tlv } from './der-reader';

export type StrengthCode = 'EE_KEY_TOO_SMALL' | 'CA_KEY_TOO_SMALL' | 'CA_MD_TOO_WEAK';

export interface StrengthFailure {
  code: StrengthCode;
  /** node:tls's message (OpenSSL's X509_verify_cert_error_string). */
  message: string;
  /** Index of the certificate at fault in the chain (0 = leaf), OpenSSL's depth. */
  depth: number;
  /** The security bits the key or signature offers, and the level's minimum. */
  bits: number;
  required: number;
}

/** Highest OpenSSL security level (5: 256 bits). */
export const MAX_SECURITY_LEVEL = 5;

// Minimum security bits per level (OpenSSL's minbits_table; level 0 checks nothing).
const minimumBits = [0, 80, 112, 128, 192, 256] as const;

const messages: Record<StrengthCode, string> = {
  EE_KEY_TOO_SMALL: 'EE certificate key too weak',
  CA_KEY_TOO_SMALL: 'CA certificate key too weak',
  CA_MD_TOO_WEAK: 'CA signature digest algorithm too weak',
};

/**
 * The security level node:tls uses by default in the running Node: 2 from Node 24.5 (bundled
 * OpenSSL 3.5, whose default is 2), 1 before (Node 22 keeps 1 although it also bundles OpenSSL 3.5).
 * Measured: Windows node.exe 22.23 accepts a 1024-bit RSA server, 24.21 and 26.10 refuse it.
 */
export function defaultSecurityLevel(nodeVersion: string = process.versions.node): number {
  const [major, minor] = nodeVersion.split('.').map((part) => Number.parseInt(part, 10));
  return major > 24 || (major === 24 && minor >= 5) ? 2 : 1;
}

/**
 * The level connect()/createServer() options ask for: `securityLevel`, or else the `@SECLEVEL=N`
 * of a node:tls `ciphers` string (the way node:tls code lowers or raises it, so such code keeps its
 * meaning after changing its import); undefined for the default. The rest of `ciphers` is not
 * used: Schannel's cipher suites are the system's policy.
 */
export function requestedSecurityLevel(options: { securityLevel?: unknown; ciphers?: unknown }): number | undefined {
  if (options.securityLevel !== undefined) {
    validateSecurityLevel(options.securityLevel, 'options.securityLevel');
    return options.securityLevel;
  }
  if (typeof options.ciphers !== 'string') return undefined;
  const match = /@SECLEVEL=(\d+)/i.exec(options.ciphers);
  if (match === null) return undefined;
  const level = Number(match[1]);
  validateSecurityLevel(level, 'options.ciphers @SECLEVEL');
  return level;
}

/** An integer 0..5, with Node's ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE otherwise. */
export function validateSecurityLevel(value: unknown, name: string): asserts value is number {
  validateInt32(value, name, { min: 0, max: MAX_SECURITY_LEVEL });
}

// ---------------------------------------------------------------------------
// DER: just enough to walk to a certificate's signatureAlgorithm and a key's EC point.

/** The OID an element holds, or null when it holds none. */
function readOid(der: Uint8Array, tlv: Tlv | null): string | null {
  if (tlv === null || tlv.tag !== OID || tlv.end === tlv.start) return null;
  return decodeOid(der.subarray(tlv.start, tlv.end));
}

// A certificate's signatureAlgorithm (the outer SEQUENCE's second element): OID and parameters.
function signatureAlgorithm(der: Uint8Array): { oid: string; parameters: Tlv | null } | null {
  const certificate = tryReadTlv(der, 0);
  if (certificate === null || certificate.tag !== 0x30) return null;
  const tbs = tryReadTlv(der, certificate.start, certificate.end);
  if (tbs === null) return null;
  const algorithm = tryReadTlv(der, tbs.end, certificate.end);
  if (algorithm === null || algorithm.tag !== 0x30) return null;
  const oidTlv = tryReadTlv(der, algorithm.start, algorithm.end);
  const oid = readOid(der, oidTlv);
  if (oid === null || oidTlv === null) return null;
  return { oid, parameters: oidTlv.end < algorithm.end ? tryReadTlv(der, oidTlv.end, algorithm.end) : null };
}

// ---------------------------------------------------------------------------
// Security bits

// Signature algorithms by OID: security bits as OpenSSL counts them (half the digest size; SHA-1 63
// and MD5 39 "so that they are no longer accepted at security level 1"; MD2/MD4 are not even
// available to OpenSSL 3, so it cannot judge them and refuses).
const sha1 = 63;
const md5 = 39;
const signatureBits = new Map<string, number>([
  // RSA PKCS#1 v1.5
  ['1.2.840.113549.1.1.2', 0], // md2WithRSAEncryption
  ['1.2.840.113549.1.1.3', 0], // md4WithRSAEncryption
  ['1.2.840.113549.1.1.4', md5], // md5WithRSAEncryption
  ['1.2.840.113549.1.1.5', sha1], // sha1WithRSAEncryption
  ['1.2.840.113549.1.1.14', 112], // sha224WithRSAEncryption
  ['1.2.840.113549.1.1.11', 128], // sha256WithRSAEncryption
  ['1.2.840.113549.1.1.12', 192], // sha384WithRSAEncryption
  ['1.2.840.113549.1.1.13', 256], // sha512WithRSAEncryption
  ['1.2.840.113549.1.1.15', 112], // sha512-224WithRSAEncryption
  ['1.2.840.113549.1.1.16', 128], // sha512-256WithRSAEncryption
  ['1.3.14.3.2.3', md5], // md5WithRSA (OIW)
  ['1.3.14.3.2.15', 0], // shaWithRSASignature (SHA-0, OIW)
  ['1.3.14.3.2.29', sha1], // sha1WithRSASignature (OIW)
  // DSA
  ['1.2.840.10040.4.3', sha1], // dsa-with-sha1
  ['1.3.14.3.2.13', 0], // dsaWithSHA (SHA-0, OIW)
  ['1.3.14.3.2.27', sha1], // dsaWithSHA1 (OIW)
  ['2.16.840.1.101.3.4.3.1', 112], // dsa-with-sha224
  ['2.16.840.1.101.3.4.3.2', 128], // dsa-with-sha256
  ['2.16.840.1.101.3.4.3.3', 192], // dsa-with-sha384
  ['2.16.840.1.101.3.4.3.4', 256], // dsa-with-sha512
  // ECDSA
  ['1.2.840.10045.4.1', sha1], // ecdsa-with-SHA1
  ['1.2.840.10045.4.3.1', 112], // ecdsa-with-SHA224
  ['1.2.840.10045.4.3.2', 128], // ecdsa-with-SHA256
  ['1.2.840.10045.4.3.3', 192], // ecdsa-with-SHA384
  ['1.2.840.10045.4.3.4', 256], // ecdsa-with-SHA512
  // SHA-3: DSA, ECDSA, RSA PKCS#1 v1.5 (224, 256, 384, 512 each)
  ...[5, 9, 13].flatMap((first) => [112, 128, 192, 256].map((bits, i): [string, number] => [`2.16.840.1.101.3.4.3.${first + i}`, bits])),
  // EdDSA
  ['1.3.101.112', 128], // Ed25519
  ['1.3.101.113', 224], // Ed448
]);

const rsaPss = '1.2.840.113549.1.1.10';
// RSASSA-PSS hash algorithms. OpenSSL counts a PSS signature's SHA-1 as 64 bits, MD5 as 39.
const pssHashBits = new Map<string, number>([
  ['1.2.840.113549.2.5', md5],
  ['1.3.14.3.2.26', 64], // SHA-1, also the default when the parameters name none
  ['2.16.840.1.101.3.4.2.4', 112], // SHA-224
  ['2.16.840.1.101.3.4.2.1', 128], // SHA-256
  ['2.16.840.1.101.3.4.2.2', 192], // SHA-384
  ['2.16.840.1.101.3.4.2.3', 256], // SHA-512
  ['2.16.840.1.101.3.4.2.5', 112], // SHA-512/224
  ['2.16.840.1.101.3.4.2.6', 128], // SHA-512/256
  ['2.16.840.1.101.3.4.2.7', 112], // SHA3-224
  ['2.16.840.1.101.3.4.2.8', 128], // SHA3-256
  ['2.16.840.1.101.3.4.2.9', 192], // SHA3-384
  ['2.16.840.1.101.3.4.2.10', 256], // SHA3-512
]);

// RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... }
function pssBits(der: Uint8Array, parameters: Tlv | null): number | null {
  if (parameters === null || parameters.tag !== 0x30) return pssHashBits.get('1.3.14.3.2.26')!;
  const first = tryReadTlv(der, parameters.start, parameters.end);
  if (first === null || first.tag !== 0xa0) return pssHashBits.get('1.3.14.3.2.26')!;
  const hash = tryReadTlv(der, first.start, first.end);
  if (hash === null || hash.tag !== 0x30) return null;
  const oid = readOid(der, tryReadTlv(der, hash.start, hash.end));
  return oid === null ? null : (pssHashBits.get(oid) ?? null);
}

/** The OID of a certificate's signature algorithm (node:crypto has no getter for it), or null. */
export function signatureAlgorithmOid(der: Uint8Array): string | null {
  return signatureAlgorithm(der)?.oid ?? null;
}

/** The security bits of a certificate's signature, or null when its algorithm is not known here. */
export function signatureSecurityBits(der: Uint8Array): number | null {
  const algorithm = signatureAlgorithm(der);
  if (algorithm === null) return null;
  if (algorithm.oid === rsaPss) return pssBits(der, algorithm.parameters);
  return signatureBits.get(algorithm.oid) ?? null;
}

// BN_security_bits(L, N): an RSA modulus (N = -1), a DSA/DH prime with its subgroup size N.
function finiteFieldBits(l: number, n = -1): number {
  let bits: number;
  if (l >= 15360) bits = 256;
  else if (l >= 7680) bits = 192;
  else if (l >= 3072) bits = 128;
  else if (l >= 2048) bits = 112;
  else if (l >= 1024) bits = 80;
  else return 0;
  if (n === -1) return bits;
  const half = Math.floor(n / 2);
  return half < 80 ? 0 : Math.min(bits, half);
}

// An EC key's size: that of its public point's coordinates (uncompressed or compressed), read from
// the SubjectPublicKeyInfo. For the curves in use it is the group order's size, which OpenSSL counts.
function ecBits(key: KeyObject): number | null {
  const spki = key.export({ type: 'spki', format: 'der' });
  const outer = tryReadTlv(spki, 0);
  if (outer === null) return null;
  const algorithm = tryReadTlv(spki, outer.start, outer.end);
  if (algorithm === null) return null;
  const bitString = tryReadTlv(spki, algorithm.end, outer.end);
  if (bitString === null || bitString.tag !== 0x03) return null;
  const point = spki.subarray(bitString.start + 1, bitString.end); // after the unused-bits byte
  if (point.length < 2) return null;
  if (point[0] === 0x04) return ((point.length - 1) / 2) * 8;
  if (point[0] === 0x02 || point[0] === 0x03) return (point.length - 1) * 8;
  return null;
}

// EC security bits (OpenSSL's ec_security_bits).
function ecSecurityBits(orderBits: number): number {
  if (orderBits >= 512) return 256;
  if (orderBits >= 384) return 192;
  if (orderBits >= 256) return 128;
  if (orderBits >= 224) return 112;
  if (orderBits >= 160) return 80;
  return Math.floor(orderBits / 2);
}

/** The security bits of a public key (EVP_PKEY_get_security_bits), or null when not known here. */
export function keySecurityBits(key: KeyObject): number | null {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return typeof details.modulusLength === 'number' ? finiteFieldBits(details.modulusLength) : null;
    case 'dsa':
      if (typeof details.modulusLength !== 'number') return null;
      return finiteFieldBits(details.modulusLength, typeof details.divisorLength === 'number' ? details.divisorLength : -1);
    case 'ec': {
      const bits = ecBits(key);
      return bits === null ? null : ecSecurityBits(bits);
    }
    case 'ed25519':
    case 'x25519':
      return 128;
    case 'ed448':
    case 'x448':
      return 224;
    default:
      return null;
  }
}

function certificateKeyBits(der: Uint8Array): number | null {
  try {
    return keySecurityBits(new X509Certificate(der).publicKey);
  } catch {
    return null; // a certificate or key type node:crypto cannot read: crypt32 has accepted it
  }
}

/**
 * The weak key or signature that would make node:tls refuse this chain at `level`, or null.
 * `chain` is the built chain, leaf first; `anchored`: its last certificate is the trust anchor,
 * whose own signature is not judged.
 */
export function checkChainStrength(chain: readonly Uint8Array[], level: number, anchored: boolean): StrengthFailure | null {
  if (level <= 0 || chain.length === 0) return null;
  const required = minimumBits[Math.min(level, MAX_SECURITY_LEVEL)];
  let failure: StrengthFailure | null = null;
  const fail = (code: StrengthCode, depth: number, bits: number): void => {
    failure = { code, message: messages[code], depth, bits, required };
  };
  const keyBits = chain.map((der) => certificateKeyBits(der));
  if (keyBits[0] !== null && keyBits[0] < required) fail('EE_KEY_TOO_SMALL', 0, keyBits[0]);
  for (let depth = 0; depth < chain.length; depth++) {
    const key = keyBits[depth];
    if (depth > 0 && key !== null && key < required) fail('CA_KEY_TOO_SMALL', depth, key);
    if (anchored && depth === chain.length - 1) continue;
    const signature = signatureSecurityBits(chain[depth]);
    if (signature !== null && signature < required) fail('CA_MD_TOO_WEAK', depth, signature);
  }
  return failure;
}
