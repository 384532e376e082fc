// Test certificates made in-process (node-forge on top of Node's own RSA key generation), so the
// same code runs in Linux node, in Windows node.exe under Wine, and on Windows CI. Nothing is
// fetched; every certificate is short-lived and names only loopback.
'use strict';
const crypto = require('node:crypto');
const forge = require('node-forge');

const DAY = 24 * 60 * 60 * 1000;

/** Whether every private RSA component fills its field of a CryptoAPI PRIVATEKEYBLOB. */
function fullLengthKey(key) {
  const bytes = (n) => (n.bitLength() + 7) >> 3;
  const half = bytes(key.n) / 2;
  return bytes(key.d) === bytes(key.n) && ['p', 'q', 'dP', 'dQ', 'qInv'].every((f) => bytes(key[f]) === half);
}

/**
 * An RSA key whose private components are all full length. Wine's PFX import mangles a key with a
 * shorter component (about 8% of keys: d is reduced modulo lcm(p-1, q-1)), and GnuTLS then says
 * the certificate and key do not match (SEC_E_INTERNAL_ERROR). Windows imports any key; the
 * fixture avoids the Wine bug so that runs are deterministic everywhere.
 */
function newKey(bits = 2048) {
  for (;;) {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' });
    const key = forge.pki.privateKeyFromPem(pem);
    if (fullLengthKey(key)) return { key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem };
  }
}

/**
 * Issues a certificate.
 * @param {object} o
 * @param {string} o.cn subject common name
 * @param {{cert: any, key: any}} [o.issuer] signer (self-signed when absent)
 * @param {boolean} [o.ca] CA certificate
 * @param {string[]} [o.dns] subjectAltName DNS names
 * @param {string[]} [o.ips] subjectAltName IP addresses
 * @param {number} [o.notBeforeDays] offset from now in days (default -1)
 * @param {number} [o.notAfterDays] offset from now in days (default 2)
 * @param {'server'|'client'|'both'} [o.usage]
 */
function issue(o) {
  const { key, publicKey, pem } = newKey(o.bits);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive DER INTEGER with no leading zero byte: start with 0x01, then random bytes.
  cert.serialNumber = `01${crypto.randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() + (o.notBeforeDays ?? -1) * DAY);
  cert.validity.notAfter = new Date(Date.now() + (o.notAfterDays ?? 2) * DAY);
  const subject = [{ name: 'commonName', value: o.cn }, { name: 'organizationName', value: 'schannel tests' }];
  cert.setSubject(subject);
  cert.setIssuer(o.issuer ? o.issuer.cert.subject.attributes : subject);
  const extensions = [
    { name: 'basicConstraints', cA: !!o.ca, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (o.ca) {
    extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true });
  } else {
    extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    const usage = o.usage ?? 'server';
    extensions.push({ name: 'extKeyUsage', serverAuth: usage !== 'client', clientAuth: usage !== 'server' });
  }
  const altNames = [...(o.dns ?? []).map((value) => ({ type: 2, value })), ...(o.ips ?? []).map((ip) => ({ type: 7, ip }))];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  if (o.issuer) extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: o.issuer.cert.generateSubjectKeyIdentifier().getBytes() });
  cert.setExtensions(extensions);
  cert.sign(o.issuer ? o.issuer.key : key, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return {
    cert,
    key,
    certPem,
    keyPem: pem,
    der: Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary'),
  };
}

/** A PKCS#12 blob with 3DES/SHA-1 protection, which every Windows version reads. */
function pfx(leaf, chain = [], passphrase = 'test') {
  const asn1 = forge.pkcs12.toPkcs12Asn1(leaf.key, [leaf.cert, ...chain.map((c) => c.cert)], passphrase, {
    algorithm: '3des',
    generateLocalKeyId: true,
    friendlyName: leaf.cert.subject.getField('CN').value,
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** The set the suites share: a root, an intermediate, and leaves for the certificate matrix. */
function makeTestPki() {
  const root = issue({ cn: 'schannel test root', ca: true, notAfterDays: 3 });
  const intermediate = issue({ cn: 'schannel test intermediate', ca: true, issuer: root });
  const loopback = { dns: ['localhost'], ips: ['127.0.0.1', '::1'] };
  const leaf = issue({ cn: 'localhost', issuer: intermediate, ...loopback });
  return {
    root,
    intermediate,
    leaf,
    expired: issue({ cn: 'localhost', issuer: intermediate, notBeforeDays: -10, notAfterDays: -1, ...loopback }),
    notYetValid: issue({ cn: 'localhost', issuer: intermediate, notBeforeDays: 1, notAfterDays: 5, ...loopback }),
    wrongHost: issue({ cn: 'wrong.invalid', issuer: intermediate, dns: ['wrong.invalid'] }),
    selfSigned: issue({ cn: 'localhost', ...loopback }),
    untrustedRoot: (() => {
      const otherRoot = issue({ cn: 'other root', ca: true });
      return { root: otherRoot, leaf: issue({ cn: 'localhost', issuer: otherRoot, ...loopback }) };
    })(),
    client: issue({ cn: 'schannel test client', issuer: intermediate, usage: 'client' }),
  };
}

module.exports = { issue, pfx, makeTestPki, newKey, fullLengthKey };
