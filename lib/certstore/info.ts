// The object every certstore function hands out for a certificate: Node's field names where Node
// has them (getPeerCertificate()'s subject/issuer objects, subjectaltname, serialNumber,
// fingerprint256), Windows' thumbprint, and what the store knows (private key, friendly name).
import { X509Certificate } from 'node:crypto';
import type { Certificate } from 'node:tls';
import { peerCertificateObject } from '../certs/x509';
import { certificateKeyUsages, extKeyUsageNames } from './der';
import { thumbprintOf } from './thumbprint';
import { invalidArgType } from '../sspi/errors';
import { validateObject } from '../sspi/validate';

export type StoreLocation = 'CurrentUser' | 'LocalMachine';

export interface CertificateInfo {
  /** Node's subject object: { CN, O, OU, ... } (a repeated attribute is an array). */
  subject: Certificate;
  issuer: Certificate;
  /** Node's form: 'DNS:localhost, IP Address:127.0.0.1'; undefined without the extension. */
  subjectaltname: string | undefined;
  /** Upper-case hex, as Node gives it. */
  serialNumber: string;
  /** SHA-1 of the DER, 40 upper-case hex digits, as Windows (certutil, PowerShell) shows it. */
  thumbprint: string;
  /** SHA-256 fingerprint, 'AB:CD:...' as Node gives it. */
  fingerprint256: string;
  validFrom: Date;
  validTo: Date;
  /** A CA certificate (basicConstraints cA). */
  ca: boolean;
  /** Whether the store can use the private key without prompting (always false for a bare DER). */
  hasPrivateKey: boolean;
  /** keyUsage bit names (digitalSignature, keyEncipherment, ...); [] when the extension is absent. */
  keyUsage: string[];
  /** extendedKeyUsage OIDs, e.g. '1.3.6.1.5.5.7.3.2'; [] when the extension is absent (any purpose). */
  extKeyUsage: string[];
  /** The same purposes by name ('clientAuth'); an OID without a known name stays an OID. */
  extKeyUsageNames: string[];
  /** CERT_FRIENDLY_NAME_PROP_ID; '' when unset. */
  friendlyName: string;
  /** The certificate, DER. */
  raw: Buffer;
  pem: string;
  /** Where it was found; null for certificates that are not in a system store (a PFX's). */
  location: StoreLocation | null;
  store: string | null;
}

export interface CertificateMeta {
  hasPrivateKey?: boolean;
  friendlyName?: string;
  location?: StoreLocation | null;
  store?: string | null;
}

export function toPem(der: Uint8Array): string {
  if (!(der instanceof Uint8Array)) throw invalidArgType('der', ['Buffer', 'Uint8Array'], der);
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/**
 * The info object for a DER certificate (throws if Node's X509 parser cannot read it). Works on any
 * platform: tests and selection policies can build these from certificates of their own.
 */
export function describeCertificate(der: Uint8Array, meta: CertificateMeta = {}): CertificateInfo {
  const raw = Buffer.from(der);
  const x509 = new X509Certificate(raw);
  const legacy = peerCertificateObject([raw]) as ReturnType<X509Certificate['toLegacyObject']>;
  const usages = certificateKeyUsages(raw);
  const extKeyUsage = usages.extKeyUsage ?? [];
  return {
    subject: legacy.subject,
    issuer: legacy.issuer,
    subjectaltname: legacy.subjectaltname,
    serialNumber: legacy.serialNumber,
    thumbprint: thumbprintOf(raw),
    fingerprint256: x509.fingerprint256,
    validFrom: new Date(x509.validFrom),
    validTo: new Date(x509.validTo),
    ca: x509.ca,
    hasPrivateKey: meta.hasPrivateKey ?? false,
    keyUsage: usages.keyUsage ?? [],
    extKeyUsage,
    extKeyUsageNames: extKeyUsage.map((oid) => extKeyUsageNames[oid] ?? oid),
    friendlyName: meta.friendlyName ?? '',
    raw,
    pem: toPem(raw),
    location: meta.location ?? null,
    store: meta.store ?? null,
  };
}

/** The subject's common name (the first, when repeated), or ''. */
export function commonName(name: Certificate): string {
  validateObject(name, 'name');
  const cn = (name as unknown as Record<string, string | string[] | undefined>).CN;
  return Array.isArray(cn) ? (cn[0] ?? '') : (cn ?? '');
}
