// peerCertificateObject against what a real node:tls socket's getPeerCertificate() returns for the
// same certificates (a loopback server in this process), and verifyCertificateChain's argument
// checks, which run before anything needs Windows.
import { createRequire } from 'node:module';
import { connect, createServer, type DetailedPeerCertificate, type PeerCertificate, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { peerCertificateObject } from '../../lib/certs/x509';
import { verifyCertificateChain, verifyCertificateChainSync } from '../../lib/certs/verify';

const require = createRequire(import.meta.url);
const { makeTestPki, newKey } = require('../support/pki.cjs');
const forge = require('node-forge');

type Issued = { der: Buffer; certPem: string; keyPem: string; cert: any; key: any };
const pki = makeTestPki() as Record<string, Issued> & { root: Issued; intermediate: Issued; leaf: Issued };

// A leaf with an Authority Information Access extension (OCSP and CA Issuers URLs), which
// pki.cjs does not make: Node turns it into the `infoAccess` object.
function leafWithInfoAccess(): Issued {
  const { key, publicKey, pem } = newKey();
  const asn1 = forge.asn1;
  const uri = (text: string) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, text);
  const access = (oid: string, text: string) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
      uri(text),
    ]);
  const aia = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    access('1.3.6.1.5.5.7.48.1', 'http://ocsp.invalid/'),
    access('1.3.6.1.5.5.7.48.2', 'http://ca.invalid/intermediate.crt'),
  ]);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = '00ff01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }, { name: 'organizationalUnitName', value: 'a' }, { name: 'organizationalUnitName', value: 'b' }]);
  cert.setIssuer(pki.intermediate.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    { id: '1.3.6.1.5.5.7.1.1', value: asn1.toDer(aia).getBytes() },
  ]);
  cert.sign(pki.intermediate.key, forge.md.sha256.create());
  return {
    cert,
    key,
    keyPem: pem,
    certPem: forge.pki.certificateToPem(cert),
    der: Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary'),
  };
}

async function peerOf(leaf: Issued, extra: Issued[]): Promise<{ brief: PeerCertificate; detailed: DetailedPeerCertificate }> {
  const server: Server = createServer({ key: leaf.keyPem, cert: leaf.certPem + extra.map((c) => c.certPem).join('') });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const socket = connect({ port, host: '127.0.0.1', servername: 'localhost', ca: [pki.root.certPem] });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    const result = { brief: socket.getPeerCertificate(false), detailed: socket.getPeerCertificate(true) };
    socket.destroy();
    return result;
  } finally {
    server.close();
  }
}

function withoutIssuer<T extends object>(object: T): Omit<T, 'issuerCertificate'> {
  const { issuerCertificate: _ignored, ...rest } = object as T & { issuerCertificate?: unknown };
  return rest;
}

describe('peerCertificateObject matches node:tls getPeerCertificate()', () => {
  let fromTls: { brief: PeerCertificate; detailed: DetailedPeerCertificate };
  let aia: Issued;
  let fromTlsAia: { brief: PeerCertificate; detailed: DetailedPeerCertificate };

  beforeAll(async () => {
    fromTls = await peerOf(pki.leaf, [pki.intermediate]);
    aia = leafWithInfoAccess();
    fromTlsAia = await peerOf(aia, [pki.intermediate]);
  });

  it('gives the same object for the leaf (detailed = false)', () => {
    const ours = peerCertificateObject([pki.leaf.der, pki.intermediate.der, pki.root.der], false);
    expect(ours).toStrictEqual(fromTls.brief);
    expect(Object.keys(ours)).toEqual(Object.keys(fromTls.brief));
    expect('issuerCertificate' in ours).toBe(false);
  });

  it('has the fields Node documents, in Node formats', () => {
    const ours = peerCertificateObject([pki.leaf.der], false) as PeerCertificate & { ext_key_usage?: string[] };
    expect(ours.subject).toEqual({ CN: 'localhost', O: 'schannel tests' });
    expect(Object.getPrototypeOf(ours.subject)).toBe(null);
    expect(ours.issuer).toEqual({ CN: 'schannel test intermediate', O: 'schannel tests' });
    expect(ours.subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(ours.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(ours.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(ours.fingerprint512).toMatch(/^([0-9A-F]{2}:){63}[0-9A-F]{2}$/);
    expect(ours.valid_from).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/);
    expect(ours.bits).toBe(2048);
    expect(ours.exponent).toBe('0x10001');
    expect(ours.modulus).toMatch(/^[0-9A-F]+$/);
    expect(Buffer.isBuffer(ours.pubkey)).toBe(true);
    expect(ours.raw.equals(pki.leaf.der)).toBe(true);
    expect(ours.ca).toBe(false);
    expect(ours.ext_key_usage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('links the detailed chain like Node, the root pointing at itself', () => {
    const ours = peerCertificateObject([pki.leaf.der, pki.intermediate.der, pki.root.der], true);
    let a: DetailedPeerCertificate = fromTls.detailed;
    let b: DetailedPeerCertificate = ours;
    for (let depth = 0; depth < 3; depth++) {
      expect(withoutIssuer(b)).toStrictEqual(withoutIssuer(a));
      expect(Object.keys(b)).toEqual(Object.keys(a));
      if (depth < 2) {
        expect(b.issuerCertificate).not.toBe(b);
      } else {
        expect(a.issuerCertificate).toBe(a);
        expect(b.issuerCertificate).toBe(b);
      }
      a = a.issuerCertificate;
      b = b.issuerCertificate;
    }
    expect(b.subject.CN).toBe('schannel test root');
  });

  it('leaves issuerCertificate out when the last certificate is not self-issued', () => {
    const ours = peerCertificateObject([pki.leaf.der, pki.intermediate.der], true);
    expect(ours.issuerCertificate.subject.CN).toBe('schannel test intermediate');
    expect('issuerCertificate' in ours.issuerCertificate).toBe(false);
  });

  it('turns infoAccess into Node’s object and keeps repeated subject fields as arrays', () => {
    const ours = peerCertificateObject([aia.der], false) as PeerCertificate & { infoAccess?: Record<string, string[]> };
    expect(ours).toStrictEqual(fromTlsAia.brief);
    expect(ours.infoAccess).toEqual({ 'OCSP - URI': ['http://ocsp.invalid/'], 'CA Issuers - URI': ['http://ca.invalid/intermediate.crt'] });
    expect(ours.subject.OU).toEqual(['a', 'b']);
  });

  it('returns {} for an empty chain, as Node does without a peer certificate', () => {
    expect(peerCertificateObject([], true)).toEqual({});
  });
});

describe('verifyCertificateChain arguments', () => {
  const good = { chain: [pki.leaf.der] };
  const typeError = (code: string) => expect.objectContaining({ name: 'TypeError', code });

  it.each([
    ['options undefined', 'ERR_INVALID_ARG_TYPE', undefined],
    ['options string', 'ERR_INVALID_ARG_TYPE', 'chain'],
    ['chain missing', 'ERR_INVALID_ARG_TYPE', {}],
    ['chain empty', 'ERR_INVALID_ARG_VALUE', { chain: [] }],
    ['chain entry', 'ERR_INVALID_ARG_TYPE', { chain: ['-----BEGIN CERTIFICATE-----'] }],
    ['host type', 'ERR_INVALID_ARG_TYPE', { ...good, host: 42 }],
    ['host empty', 'ERR_INVALID_ARG_VALUE', { ...good, host: '' }],
    ['role', 'ERR_INVALID_ARG_VALUE', { ...good, role: 'peer' }],
    ['revocation', 'ERR_INVALID_ARG_VALUE', { ...good, revocation: true }],
    ['ca entry type', 'ERR_INVALID_ARG_TYPE', { ...good, ca: [42] }],
    ['ca PEM without a certificate', 'ERR_INVALID_ARG_VALUE', { ...good, ca: ['not a certificate'] }],
    ['ca PEM buffer without a certificate', 'ERR_INVALID_ARG_VALUE', { ...good, ca: [Buffer.from('-----BEGIN PRIVATE KEY-----\n')] }],
    ['time type', 'ERR_INVALID_ARG_TYPE', { ...good, time: Date.now() }],
    ['time invalid', 'ERR_INVALID_ARG_VALUE', { ...good, time: new Date(Number.NaN) }],
  ])('sync: rejects %s with %s', (_label, code, options) => {
    expect(() => verifyCertificateChainSync(options as never)).toThrowError(typeError(code as string));
  });

  it('names the property as Node does', () => {
    expect(() => verifyCertificateChainSync({ chain: [pki.leaf.der], ca: [42 as never] })).toThrowError(
      'The "options.ca[0]" property must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received type number (42)',
    );
    expect(() => verifyCertificateChainSync({ chain: [pki.leaf.der], role: 'peer' as never })).toThrowError(
      "The property 'options.role' must be one of: 'server', 'client'. Received 'peer'",
    );
  });

  it('async: rejects (never throws synchronously) with the same errors', async () => {
    const pending = verifyCertificateChain({ chain: [] });
    await expect(pending).rejects.toThrowError(typeError('ERR_INVALID_ARG_VALUE'));
  });

  it('valid arguments reach the platform check (ERR_SCHANNEL_UNSUPPORTED off Windows)', async () => {
    const options = { chain: [pki.leaf.der, pki.intermediate.der], host: '::1', ca: [pki.root.certPem, pki.root.der], time: new Date() };
    if (process.platform === 'win32') return;
    expect(() => verifyCertificateChainSync(options)).toThrowError(expect.objectContaining({ code: 'ERR_SCHANNEL_UNSUPPORTED' }));
    await expect(verifyCertificateChain(options)).rejects.toThrowError(expect.objectContaining({ code: 'ERR_SCHANNEL_UNSUPPORTED' }));
  });
});
