// The PKCS#12 writer, read back by OpenSSL (node:tls on Linux) as an independent parser.
import { createRequire } from 'node:module';
import { connect, createServer, createSecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { certificatesToDer, createPkcs12 } from '../../lib/certs/pkcs12';

const require = createRequire(import.meta.url);
const { makeTestPki } = require('../support/pki.cjs');
const pki = makeTestPki();

describe('createPkcs12', () => {
  it('is read by OpenSSL with the right passphrase and refused with a wrong one', () => {
    const pfx = createPkcs12({ key: pki.leaf.keyPem, certificates: [pki.leaf.certPem], passphrase: 'secret' });
    expect(() => createSecureContext({ pfx, passphrase: 'secret' })).not.toThrow();
    expect(() => createSecureContext({ pfx, passphrase: 'wrong' })).toThrow(/mac verify failure|bad decrypt/i);
  });

  it('works with the empty passphrase the socket layer uses', () => {
    const pfx = createPkcs12({ key: pki.leaf.keyPem, certificates: [pki.leaf.certPem] });
    expect(() => createSecureContext({ pfx, passphrase: '' })).not.toThrow();
  });

  it('puts the certificate that matches the key first, whatever the order given', async () => {
    const pfx = createPkcs12({ key: pki.leaf.keyPem, certificates: [pki.intermediate.certPem + pki.leaf.certPem], passphrase: 'p' });
    const server = createServer({ pfx, passphrase: 'p' }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const fingerprints = await new Promise<string[]>((resolve, reject) => {
        const socket = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
          const chain: string[] = [];
          let cert = socket.getPeerCertificate(true);
          const seen = new Set();
          while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
            seen.add(cert.fingerprint256);
            chain.push(cert.fingerprint256);
            cert = cert.issuerCertificate;
          }
          socket.destroy();
          resolve(chain);
        });
        socket.on('error', reject);
      });
      const { X509Certificate } = await import('node:crypto');
      expect(fingerprints[0]).toBe(new X509Certificate(pki.leaf.certPem).fingerprint256);
      expect(fingerprints[1]).toBe(new X509Certificate(pki.intermediate.certPem).fingerprint256);
    } finally {
      server.close();
    }
  });

  it('reads an encrypted PEM key with keyPassphrase', async () => {
    const { createPrivateKey } = await import('node:crypto');
    const encrypted = createPrivateKey(pki.leaf.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'kp' });
    const pfx = createPkcs12({ key: encrypted, keyPassphrase: 'kp', certificates: [pki.leaf.certPem] });
    expect(() => createSecureContext({ pfx, passphrase: '' })).not.toThrow();
    expect(() => createPkcs12({ key: encrypted, keyPassphrase: 'no', certificates: [pki.leaf.certPem] })).toThrow();
  });

  it('splits PEM bundles and passes DER through', () => {
    expect(certificatesToDer(pki.root.certPem + pki.intermediate.certPem)).toHaveLength(2);
    expect(certificatesToDer(pki.root.der)).toEqual([pki.root.der]);
  });
});
