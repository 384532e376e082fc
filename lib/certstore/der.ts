// Just enough DER to read what node:crypto's X509Certificate does not expose: the issuer and subject
// Names as encoded (TLS servers list acceptable issuers as DER Names), the keyUsage bits and the
// extendedKeyUsage OIDs. Malformed input is ERR_INVALID_ARG_VALUE (a RangeError), a value that is not
// bytes at all ERR_INVALID_ARG_TYPE.
import { invalidArgType, invalidArgValueRange } from '../sspi/errors';
import { childrenOf, decodeOid, DerError, OID, readTlv, SEQUENCE, type Tlv } from '../certs/der-reader';

function parseCertificate<T>(der: unknown, parse: (bytes: Uint8Array) => T): T {
  if (!(der instanceof Uint8Array)) throw invalidArgType('der', ['Buffer', 'Uint8Array'], der);
  try {
    return parse(der);
  } catch (error) {
    if (error instanceof DerError) throw invalidArgValueRange('der', der, `is not a DER certificate (${error.message})`);
    throw error;
  }
}

const BOOLEAN = 0x01;
const OCTET_STRING = 0x04;
const BIT_STRING = 0x03;

/** The tbsCertificate's fields, in order, with the optional [0] version skipped. */
function tbsFields(der: Uint8Array): Tlv[] {
  const certificate = readTlv(der, 0);
  if (certificate.tag !== SEQUENCE) throw new DerError('DER: a certificate is a SEQUENCE');
  const tbs = readTlv(der, certificate.start, certificate.end);
  if (tbs.tag !== SEQUENCE) throw new DerError('DER: tbsCertificate is a SEQUENCE');
  const fields = childrenOf(der, tbs);
  return fields[0]?.tag === 0xa0 ? fields.slice(1) : fields;
}

/** The issuer and subject Names exactly as encoded. */
export function certificateNames(der: Uint8Array): { issuer: Buffer; subject: Buffer } {
  return parseCertificate(der, namesOf);
}

function namesOf(der: Uint8Array): { issuer: Buffer; subject: Buffer } {
  // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
  const fields = tbsFields(der);
  if (fields.length < 6) throw new DerError('DER: tbsCertificate is too short');
  const bytes = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  return { issuer: bytes.subarray(fields[2].offset, fields[2].end), subject: bytes.subarray(fields[4].offset, fields[4].end) };
}

/** extnValue by OID, from the [3] extensions of the tbsCertificate. */
function extensionValues(der: Uint8Array): Map<string, Uint8Array> {
  const values = new Map<string, Uint8Array>();
  const explicit = tbsFields(der).find((field) => field.tag === 0xa3);
  if (!explicit) return values;
  const list = readTlv(der, explicit.start, explicit.end);
  for (const extension of childrenOf(der, list)) {
    const parts = childrenOf(der, extension);
    if (parts[0]?.tag !== OID) continue;
    // Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    const value = parts[parts.length - 1];
    if (parts.length < 2 || parts.length > 3 || value.tag !== OCTET_STRING) continue;
    if (parts.length === 3 && parts[1].tag !== BOOLEAN) continue;
    values.set(decodeOid(der.subarray(parts[0].start, parts[0].end)), der.subarray(value.start, value.end));
  }
  return values;
}

const keyUsageBits = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** Names of common extendedKeyUsage OIDs (RFC 5280 and Microsoft's). */
export const extKeyUsageNames: Readonly<Record<string, string>> = {
  '2.5.29.37.0': 'anyExtendedKeyUsage',
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.5': 'ipsecEndSystem',
  '1.3.6.1.5.5.7.3.6': 'ipsecTunnel',
  '1.3.6.1.5.5.7.3.7': 'ipsecUser',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '1.3.6.1.4.1.311.10.3.4': 'encryptingFileSystem',
  '1.3.6.1.4.1.311.10.3.12': 'documentSigning',
  '1.3.6.1.4.1.311.20.2.2': 'smartcardLogon',
  '1.3.6.1.5.2.3.5': 'kdcAuth',
};

export interface KeyUsages {
  /** keyUsage bit names; null when the extension is absent (every usage allowed). */
  keyUsage: string[] | null;
  /** extendedKeyUsage OIDs; null when the extension is absent (every purpose allowed). */
  extKeyUsage: string[] | null;
}

export function certificateKeyUsages(der: Uint8Array): KeyUsages {
  return parseCertificate(der, keyUsagesOf);
}

function keyUsagesOf(der: Uint8Array): KeyUsages {
  const extensions = extensionValues(der);
  let keyUsage: string[] | null = null;
  const ku = extensions.get('2.5.29.15');
  if (ku) {
    const bits = readTlv(ku, 0);
    if (bits.tag !== BIT_STRING || bits.end - bits.start < 1) throw new DerError('DER: keyUsage is a BIT STRING');
    keyUsage = keyUsageBits.filter((_, i) => {
      const byte = bits.start + 1 + (i >> 3);
      return byte < bits.end && (ku[byte] & (0x80 >> (i & 7))) !== 0;
    });
  }
  let extKeyUsage: string[] | null = null;
  const eku = extensions.get('2.5.29.37');
  if (eku) {
    const list = readTlv(eku, 0);
    extKeyUsage = childrenOf(eku, list)
      .filter((item) => item.tag === OID)
      .map((item) => decodeOid(eku.subarray(item.start, item.end)));
  }
  return { keyUsage, extKeyUsage };
}

Object.freeze(extKeyUsageNames);
