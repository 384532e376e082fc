// lib/certstore on Linux: argument checks (they run before anything needs Windows), thumbprints,
// the certificate info objects, and the client-certificate selection policy over info objects made
// from the test PKI's certificates.
import { createHash, X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as certstore from '../../lib/certstore';
import { certificateDetails, certificateTable, formatTable } from '../../lib/cli/certs';
import { acquireCredentialsHandle } from '../../lib/sspi/credentials';

const require = createRequire(import.meta.url);
const { makeTestPki, issue, pfx } = require('../support/pki.cjs');

type Issued = { der: Buffer; certPem: string; keyPem: string; cert: any; key: any };
const pki = makeTestPki() as Record<string, Issued> & { root: Issued; intermediate: Issued; leaf: Issued; client: Issued };
const info = (issued: Issued, meta: certstore.CertificateMeta = { hasPrivateKey: true }) => certstore.describeCertificate(issued.der, meta);
const error = (code: string, name = 'TypeError') => expect.objectContaining({ name, code });

const clientThumbprint = createHash('sha1').update(pki.client.der).digest('hex').toUpperCase();

describe('normalizeThumbprint', () => {
  it.each([
    [clientThumbprint.toLowerCase()],
    [clientThumbprint.match(/../g)!.join(':')],
    [clientThumbprint.match(/../g)!.join(' ').toLowerCase()],
    [`\u200e${clientThumbprint.match(/.{4}/g)!.join(' ')}`],
    [` ${clientThumbprint}\n`],
  ])('accepts %j', (input) => {
    expect(certstore.normalizeThumbprint(input)).toBe(clientThumbprint);
  });

  it('accepts 20 bytes', () => {
    expect(certstore.normalizeThumbprint(Buffer.from(clientThumbprint, 'hex'))).toBe(clientThumbprint);
  });

  it.each([
    ['not hex', 'zz'.repeat(20)],
    ['too short', clientThumbprint.slice(2)],
    ['too long', `${clientThumbprint}00`],
    ['a SHA-256 fingerprint', 'AB'.repeat(32)],
    ['empty', ''],
  ])('rejects %s with ERR_INVALID_ARG_VALUE', (_, input) => {
    expect(() => certstore.normalizeThumbprint(input)).toThrowError(error('ERR_INVALID_ARG_VALUE'));
  });

  it('rejects 19 bytes and non-strings', () => {
    expect(() => certstore.normalizeThumbprint(Buffer.alloc(19))).toThrowError(error('ERR_INVALID_ARG_VALUE'));
    expect(() => certstore.normalizeThumbprint(42)).toThrowError(error('ERR_INVALID_ARG_TYPE'));
  });

  it('thumbprintOf is the SHA-1 of the DER', () => {
    expect(certstore.thumbprintOf(pki.client.der)).toBe(clientThumbprint);
  });
});

describe('argument checks before any Windows call', () => {
  const unsupported = error('ERR_SCHANNEL_UNSUPPORTED', 'SchannelError');

  it.each([
    [{ location: 'Machine' }, 'ERR_INVALID_ARG_VALUE'],
    [{ location: 0 }, 'ERR_INVALID_ARG_VALUE'],
    [{ store: '' }, 'ERR_INVALID_ARG_VALUE'],
    [{ store: 'MY\\Sub' }, 'ERR_INVALID_ARG_VALUE'],
    [{ store: 5 }, 'ERR_INVALID_ARG_TYPE'],
  ])('listCertificates(%j) -> %s', (options, code) => {
    expect(() => certstore.listCertificates(options as never)).toThrowError(error(code));
  });

  it('listCertificates with good options reaches the binding (unsupported on Linux)', () => {
    expect(() => certstore.listCertificates({ location: 'LocalMachine', store: 'ROOT' })).toThrowError(unsupported);
    expect(() => certstore.listCertificates()).toThrowError(unsupported);
  });

  it.each([
    [{}, 'ERR_INVALID_ARG_VALUE'],
    [{ thumbprint: clientThumbprint, subject: 'x' }, 'ERR_INVALID_ARG_VALUE'],
    [{ thumbprint: 'xyz' }, 'ERR_INVALID_ARG_VALUE'],
    [{ thumbprint: clientThumbprint.slice(1) }, 'ERR_INVALID_ARG_VALUE'],
    [{ subject: '' }, 'ERR_INVALID_ARG_VALUE'],
    [{ issuer: 7 }, 'ERR_INVALID_ARG_TYPE'],
    [{ thumbprint: clientThumbprint, store: null }, 'ERR_INVALID_ARG_TYPE'],
  ])('findCertificate(%j) -> %s', (options, code) => {
    expect(() => certstore.findCertificate(options as never)).toThrowError(error(code));
  });

  it('findCertificate accepts a pasted thumbprint and reaches the binding', () => {
    expect(() => certstore.findCertificate({ thumbprint: clientThumbprint.match(/../g)!.join(' ').toLowerCase() })).toThrowError(unsupported);
  });

  it.each([
    [{}, 'ERR_INVALID_ARG_VALUE'],
    [{ cert: pki.client.certPem, pfx: Buffer.alloc(4) }, 'ERR_INVALID_ARG_VALUE'],
    [{ cert: 'not a certificate' }, 'ERR_INVALID_ARG_VALUE'],
    [{ cert: Buffer.from('garbage') }, 'ERR_INVALID_ARG_VALUE'],
    [{ cert: 42 }, 'ERR_INVALID_ARG_TYPE'],
    [{ cert: pki.client.certPem, passphrase: 'x' }, 'ERR_INVALID_ARG_VALUE'],
    [{ pfx: 'base64?' }, 'ERR_INVALID_ARG_TYPE'],
    [{ pfx: Buffer.alloc(4), passphrase: 5 }, 'ERR_INVALID_ARG_TYPE'],
    [{ cert: pki.client.certPem, createStore: 'yes' }, 'ERR_INVALID_ARG_TYPE'],
  ])('addCertificate(%j) -> %s', (options, code) => {
    expect(() => certstore.addCertificate(options as never)).toThrowError(error(code));
  });

  it('addCertificate takes PEM text, PEM bytes and DER', () => {
    for (const cert of [pki.client.certPem, Buffer.from(pki.client.certPem), pki.client.der]) {
      expect(() => certstore.addCertificate({ store: 'ROOT', cert })).toThrowError(unsupported);
    }
  });

  it.each([
    [{}, 'ERR_INVALID_ARG_TYPE'],
    [{ thumbprint: 'abc' }, 'ERR_INVALID_ARG_VALUE'],
    [{ thumbprint: clientThumbprint, deleteKey: 1 }, 'ERR_INVALID_ARG_TYPE'],
  ])('removeCertificate(%j) -> %s', (options, code) => {
    expect(() => certstore.removeCertificate(options as never)).toThrowError(error(code));
  });

  it('importPfx wants bytes and a string passphrase', () => {
    expect(() => certstore.importPfx('pfx' as never)).toThrowError(error('ERR_INVALID_ARG_TYPE'));
    expect(() => certstore.importPfx(Buffer.alloc(4), 5 as never)).toThrowError(error('ERR_INVALID_ARG_TYPE'));
    expect(() => certstore.importPfx(pfx(pki.client), 'test')).toThrowError(unsupported);
  });

  it('exportSystemRootCertificates / useSystemCertificates check includeIntermediates', () => {
    expect(() => certstore.exportSystemRootCertificates({ includeIntermediates: 'yes' } as never)).toThrowError(error('ERR_INVALID_ARG_TYPE'));
    expect(() => certstore.useSystemCertificates(null as never)).toThrowError(error('ERR_INVALID_ARG_TYPE'));
    expect(() => certstore.exportSystemRootCertificates()).toThrowError(unsupported);
  });

  it.each([
    [{ certificate: 'MY' }, 'ERR_INVALID_ARG_TYPE'],
    [{ certificate: {} }, 'ERR_INVALID_ARG_VALUE'],
    [{ certificate: { issuer: 'x' } }, 'ERR_INVALID_ARG_VALUE'],
    [{ certificate: { thumbprint: 'xyz' } }, 'ERR_INVALID_ARG_VALUE'],
    [{ certificate: { thumbprint: clientThumbprint, location: 'Elsewhere' } }, 'ERR_INVALID_ARG_VALUE'],
    [{ certificate: { thumbprint: clientThumbprint }, pfx: Buffer.alloc(4) }, 'ERR_INVALID_ARG_VALUE'],
  ])('acquireCredentialsHandle(%j) -> %s', (options, code) => {
    expect(() => acquireCredentialsHandle(options as never)).toThrowError(error(code));
  });

  it('acquireCredentialsHandle with a good certificate option reaches the binding', () => {
    expect(() => acquireCredentialsHandle({ certificate: { store: 'MY', thumbprint: clientThumbprint.toLowerCase() } })).toThrowError(unsupported);
    expect(() => acquireCredentialsHandle({ certificate: { location: 'LocalMachine', subject: 'client' } })).toThrowError(unsupported);
  });
});

describe('describeCertificate', () => {
  it('gives Node-shaped names, Windows thumbprint, usages and PEM', () => {
    const c = info(pki.client, { hasPrivateKey: true, friendlyName: 'mine', location: 'CurrentUser', store: 'MY' });
    const x509 = new X509Certificate(pki.client.der);
    expect(c.subject).toMatchObject({ CN: 'schannel test client', O: 'schannel tests' });
    expect(c.issuer).toMatchObject({ CN: 'schannel test intermediate' });
    expect(c.thumbprint).toBe(clientThumbprint);
    expect(c.fingerprint256).toBe(x509.fingerprint256);
    expect(c.serialNumber).toBe(x509.serialNumber.toUpperCase());
    expect(c.validFrom.getTime()).toBe(new Date(x509.validFrom).getTime());
    expect(c.validTo.getTime()).toBe(new Date(x509.validTo).getTime());
    expect(c.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(c.extKeyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(c.extKeyUsageNames).toEqual(['clientAuth']);
    expect(c.ca).toBe(false);
    expect(c).toMatchObject({ hasPrivateKey: true, friendlyName: 'mine', location: 'CurrentUser', store: 'MY' });
    expect(new X509Certificate(c.pem).raw.equals(pki.client.der)).toBe(true);
    expect(c.raw.equals(pki.client.der)).toBe(true);
  });

  it('reads a CA: keyCertSign, no extendedKeyUsage, subjectaltname of a server leaf', () => {
    const root = info(pki.root);
    expect(root.ca).toBe(true);
    expect(root.keyUsage).toEqual(['digitalSignature', 'keyCertSign', 'cRLSign']);
    expect(root.extKeyUsage).toEqual([]);
    expect(info(pki.leaf).subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(info(pki.leaf).extKeyUsageNames).toEqual(['serverAuth']);
  });

  it('certificateNames gives the encoded Names: the leaf\'s issuer is its CA\'s subject', () => {
    const leaf = certstore.certificateNames(pki.client.der);
    const ca = certstore.certificateNames(pki.intermediate.der);
    expect(leaf.issuer.equals(ca.subject)).toBe(true);
    expect(leaf.subject.equals(ca.subject)).toBe(false);
    expect(leaf.subject[0]).toBe(0x30);
  });

  it('certificateNames and certificateKeyUsages reject malformed DER', () => {
    expect(() => certstore.certificateNames(Buffer.from([0x30, 0x05, 0x02]))).toThrowError(RangeError);
    expect(() => certstore.certificateKeyUsages(pki.client.der.subarray(0, 100))).toThrowError(RangeError);
  });
});

describe('selectClientCertificate (default policy)', () => {
  const rootName = certstore.certificateNames(pki.root.der).subject;
  const intermediateName = certstore.certificateNames(pki.intermediate.der).subject;
  const client = info(pki.client);
  const pool = [info(pki.intermediate, {}), info(pki.root, {})];
  const otherRoot = issue({ cn: 'someone else', ca: true });

  it('picks the client certificate whose issuer the server named', () => {
    expect(certstore.selectClientCertificate([intermediateName], [client])?.thumbprint).toBe(client.thumbprint);
  });

  it('follows the chain through the CA certificates it is given', () => {
    expect(certstore.selectClientCertificate([rootName], [client])).toBeNull();
    expect(certstore.selectClientCertificate([rootName], [client], { chainCertificates: pool })?.thumbprint).toBe(client.thumbprint);
    const elsewhere = certstore.certificateNames(otherRoot.der).subject;
    expect(certstore.selectClientCertificate([elsewhere], [client], { chainCertificates: pool })).toBeNull();
  });

  it('takes any CA when the server named none', () => {
    expect(certstore.selectClientCertificate([], [client])?.thumbprint).toBe(client.thumbprint);
  });

  it('refuses a certificate without a private key, a server-only one, an expired one, a future one', () => {
    const noKey = info(pki.client, { hasPrivateKey: false });
    const serverOnly = info(pki.leaf);
    const expired = info(issue({ cn: 'expired client', issuer: pki.intermediate, usage: 'client', notBeforeDays: -10, notAfterDays: -1 }));
    const future = info(issue({ cn: 'future client', issuer: pki.intermediate, usage: 'client', notBeforeDays: 1, notAfterDays: 5 }));
    expect(certstore.selectClientCertificate([intermediateName], [noKey, serverOnly, expired, future])).toBeNull();
    expect(certstore.clientCertificateProblem(noKey, [])).toBe('no private key');
    expect(certstore.clientCertificateProblem(serverOnly, [])).toMatch(/client authentication/);
    expect(certstore.clientCertificateProblem(expired, [])).toBe('expired');
    expect(certstore.clientCertificateProblem(future, [])).toBe('not yet valid');
    expect(certstore.clientCertificateProblem(client, [certstore.certificateNames(otherRoot.der).subject])).toMatch(/accepted CAs/);
  });

  it('accepts a certificate without extendedKeyUsage, but prefers an explicit clientAuth one', () => {
    const noEku = issue({ cn: 'no eku', ca: true, issuer: pki.intermediate, notAfterDays: 30 });
    const candidates = [info(noEku), client];
    expect(certstore.clientCertificateProblem(candidates[0], [intermediateName])).toBeNull();
    expect(certstore.selectClientCertificate([intermediateName], candidates)?.thumbprint).toBe(client.thumbprint);
    expect(certstore.selectClientCertificate([intermediateName], [candidates[0]])?.subject).toMatchObject({ CN: 'no eku' });
  });

  it('among equals, prefers the one valid longest; `now` moves the validity check', () => {
    const longer = issue({ cn: 'longer', issuer: pki.intermediate, usage: 'client', notAfterDays: 60 });
    const picked = certstore.selectClientCertificate([intermediateName], [client, info(longer)]);
    expect(picked?.subject).toMatchObject({ CN: 'longer' });
    const later = new Date(Date.now() + 10 * 24 * 3600 * 1000);
    expect(certstore.selectClientCertificate([intermediateName], [client], { now: later })).toBeNull();
  });

  it('checks its arguments', () => {
    expect(() => certstore.selectClientCertificate('x' as never, [])).toThrowError(error('ERR_INVALID_ARG_TYPE'));
    expect(() => certstore.selectClientCertificate(['x'] as never, [])).toThrowError(error('ERR_INVALID_ARG_TYPE'));
    expect(() => certstore.selectClientCertificate([], null as never)).toThrowError(error('ERR_INVALID_ARG_TYPE'));
  });
});

describe('schannel certs output', () => {
  it('lists certificates as an aligned table', () => {
    const table = certificateTable([info(pki.client), info(pki.root, {})]).split('\n');
    expect(table[0]).toMatch(/^THUMBPRINT\s+SUBJECT\s+ISSUER\s+VALID TO\s+KEY$/);
    expect(table).toHaveLength(3);
    const column = table[0].indexOf('ISSUER');
    expect(table.slice(1).every((row) => row[column - 1] === ' ' && row[column] !== ' ')).toBe(true);
    expect(table.find((row) => row.includes('schannel test client'))).toMatch(/schannel test intermediate\s+\d{4}-\d\d-\d\d\s+yes$/);
    expect(table.find((row) => row.startsWith(info(pki.root).thumbprint))).toMatch(/no$/);
  });

  it('formatTable pads every column but the last', () => {
    expect(formatTable(['A', 'B'], [['long', 'x'], ['s', 'yy']])).toBe('A     B\nlong  x\ns     yy');
  });

  it('shows every field and the PEM', () => {
    const text = certificateDetails(info(pki.client, { hasPrivateKey: true, location: 'CurrentUser', store: 'MY' }));
    expect(text).toContain(`Thumbprint (SHA-1):`);
    expect(text).toContain(clientThumbprint);
    expect(text).toContain('clientAuth (1.3.6.1.5.5.7.3.2)');
    expect(text).toContain('CurrentUser\\MY');
    expect(text).toContain('-----BEGIN CERTIFICATE-----');
  });
});
