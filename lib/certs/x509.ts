// Node's getPeerCertificate() object, built from DER with Node's own crypto.X509Certificate, so a
// Schannel socket hands out exactly what a node:tls socket would for the same certificates.
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';
import { invalidArgType } from '../sspi/errors';
import { validateArray, validateBoolean } from '../sspi/validate';

// Node's translatePeerCertificate (lib/_tls_common.js): the native "infoAccess" text
// ("OCSP - URI:http://a\nCA Issuers - URI:http://b") becomes { 'OCSP - URI': ['http://a'], ... }.
// A value that starts with a double quote is JSON-quoted (it held a special character).
function translateInfoAccess(text: string): Record<string, string[]> {
  const result = Object.create(null) as Record<string, string[]>;
  for (const match of text.matchAll(/([^\n:]*):([^\n]*)(?:\n|$)/g)) {
    const key = match[1];
    let value = match[2];
    if (key === '' && value === '') continue;
    if (value.charCodeAt(0) === 0x22) value = JSON.parse(value) as string;
    if (key in result) result[key].push(value);
    else result[key] = [value];
  }
  return result;
}

function legacyObject(certificate: X509Certificate): DetailedPeerCertificate {
  const object = certificate.toLegacyObject() as unknown as DetailedPeerCertificate & { infoAccess?: unknown };
  if (typeof object.infoAccess === 'string') object.infoAccess = translateInfoAccess(object.infoAccess);
  return object;
}

/**
 * The object tls.TLSSocket#getPeerCertificate(detailed) returns, for a chain given as DER, leaf
 * first, each certificate issued by the next (as a built chain is). Fields: subject and issuer as
 * { CN, O, ... } objects, subjectaltname, infoAccess (when present), ca, modulus/bits/exponent/pubkey
 * for RSA or bits/pubkey/asn1Curve/nistCurve for EC, valid_from, valid_to, fingerprint,
 * fingerprint256, fingerprint512, ext_key_usage (when present), serialNumber (upper-case hex), raw.
 * With `detailed`, each object's issuerCertificate is the next one and a self-issued last
 * certificate points at itself, as in Node. An empty chain gives `{}`, as Node does without a peer
 * certificate.
 */
export function peerCertificateObject(chainDer: readonly Uint8Array[], detailed: true): DetailedPeerCertificate | Record<string, never>;
export function peerCertificateObject(chainDer: readonly Uint8Array[], detailed?: false): PeerCertificate | Record<string, never>;
export function peerCertificateObject(chainDer: readonly Uint8Array[], detailed?: boolean): PeerCertificate | DetailedPeerCertificate | Record<string, never>;
export function peerCertificateObject(chainDer: readonly Uint8Array[], detailed = false): PeerCertificate | DetailedPeerCertificate | Record<string, never> {
  validateArray(chainDer, 'chainDer');
  chainDer.forEach((der, i) => {
    if (!(der instanceof Uint8Array)) throw invalidArgType(`chainDer[${i}]`, ['Buffer', 'Uint8Array'], der);
  });
  validateBoolean(detailed, 'detailed');
  if (chainDer.length === 0) return {};
  if (!detailed) {
    const leaf = legacyObject(new X509Certificate(chainDer[0]));
    return leaf as PeerCertificate;
  }
  const certificates = chainDer.map((der) => new X509Certificate(der));
  const objects = certificates.map(legacyObject);
  for (let i = 0; i < objects.length; i++) {
    if (i + 1 < objects.length) {
      objects[i].issuerCertificate = objects[i + 1];
    } else if (certificates[i].checkIssued(certificates[i])) {
      objects[i].issuerCertificate = objects[i];
    }
  }
  return objects[0];
}
