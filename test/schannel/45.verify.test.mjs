// verifyCertificateChain: Windows' chain engine and SSL policy (crypt32) over the certificate matrix,
// with the verdict node:tls gives for the same chain (OpenSSL inside this node.exe, in-process) as
// the reference for every error code. Wine's crypt32 differs from Windows in a few places: those
// tests are written to Windows' behaviour and skip under Wine, naming what Wine returned.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { settledStats } from '../support/handles.mjs';

const require = createRequire(import.meta.url);
const schannel = require('../..');
const { verifyCertificateChain, verifyCertificateChainSync, VerificationError } = require('../../dist/certs/verify.js');
const { peerCertificateObject } = require('../../dist/certs/x509.js');
const { native } = require('../../dist/native.js');
const { makeTestPki, newKey } = require('../support/pki.cjs');
const forge = require('node-forge');

const isWine = process.env.SCHANNEL_TEST_RUNTIME === 'wine';
const hex = (n) => `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
const DAY = 86_400_000;

const pki = makeTestPki();
const ca = [pki.root.certPem];
const der = (...certs) => certs.map((c) => c.der);

// ---------------------------------------------------------------------------
// The reference: what node:tls (OpenSSL) in this process says for the same chain and host.

// trusted: the ca list, or null for node.exe's bundled roots.
async function nodeVerdict(certs, host, trusted = ca) {
  const [leaf, ...extra] = certs;
  const server = tls.createServer({ key: leaf.keyPem, cert: [leaf, ...extra].map((c) => c.certPem).join('') });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const socket = tls.connect({
      port: server.address().port,
      host: '127.0.0.1',
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
      ca: trusted ?? undefined,
      rejectUnauthorized: false,
    });
    await new Promise((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    const code = socket.authorizationError ?? tls.checkServerIdentity(host, socket.getPeerCertificate(true))?.code ?? null;
    const peer = socket.getPeerCertificate(true);
    socket.destroy();
    return { code, peer };
  } finally {
    server.close();
  }
}

function assertRejected(outcome, code, statusName) {
  assert.equal(outcome.authorized, false, 'not authorized');
  assert.ok(outcome.error instanceof VerificationError, 'a VerificationError');
  assert.ok(outcome.error instanceof schannel.SchannelError, 'which is a SchannelError');
  assert.equal(outcome.error.code, code);
  if (statusName !== undefined) {
    assert.equal(outcome.error.statusName, statusName);
    assert.equal(outcome.error.status, schannel.SecStatus[statusName]);
  }
}

// Live handle counts when this file's first suite starts; the last test compares with them.
let startStats;

// ---------------------------------------------------------------------------

describe('verifyCertificateChain: the certificate matrix with ca = [root]', () => {
  before(async () => {
    startStats = await settledStats();
  });

  it('a good chain with its intermediate is authorized, the built chain ends in the caller root', async () => {
    const outcome = await verifyCertificateChain({ chain: der(pki.leaf, pki.intermediate), host: 'localhost', ca });
    assert.equal(outcome.authorized, true, outcome.error?.message);
    assert.equal(outcome.error, null);
    assert.deepEqual(outcome.chain.map((b) => b.toString('hex')), der(pki.leaf, pki.intermediate, pki.root).map((b) => b.toString('hex')));
    assert.ok(outcome.anchor.equals(pki.root.der));
    assert.equal(outcome.anchorIsCallerRoot, true);
    assert.equal(outcome.policyStatus, 0);
    assert.equal(outcome.trustStatus.effectiveErrorStatus, 0);
    assert.equal((await nodeVerdict([pki.leaf, pki.intermediate], 'localhost')).code, null, 'node:tls agrees');
  });

  it('the same chain with the root included is authorized too', async () => {
    const outcome = await verifyCertificateChain({ chain: der(pki.leaf, pki.intermediate, pki.root), host: 'localhost', ca });
    assert.equal(outcome.authorized, true, outcome.error?.message);
  });

  const matrix = [
    { name: 'expired leaf', certs: () => [pki.expired, pki.intermediate], code: 'CERT_HAS_EXPIRED', status: 'CERT_E_EXPIRED', message: 'certificate has expired' },
    { name: 'not-yet-valid leaf', certs: () => [pki.notYetValid, pki.intermediate], code: 'CERT_NOT_YET_VALID', status: 'CERT_E_EXPIRED', message: 'certificate is not yet valid' },
    { name: 'self-signed leaf', certs: () => [pki.selfSigned], code: 'DEPTH_ZERO_SELF_SIGNED_CERT', status: 'CERT_E_UNTRUSTEDROOT', message: 'self-signed certificate' },
    { name: 'chain to an untrusted root that is presented', certs: () => [pki.untrustedRoot.leaf, pki.untrustedRoot.root], code: 'SELF_SIGNED_CERT_IN_CHAIN', status: 'CERT_E_UNTRUSTEDROOT', message: 'self-signed certificate in certificate chain' },
    { name: 'chain to an untrusted root that is not presented', certs: () => [pki.untrustedRoot.leaf], code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', status: 'CERT_E_CHAINING', message: 'unable to verify the first certificate' },
    { name: 'missing intermediate', certs: () => [pki.leaf], code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', status: 'CERT_E_CHAINING', message: 'unable to verify the first certificate' },
    { name: 'missing intermediate, root presented', certs: () => [pki.leaf, pki.root], code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', status: 'CERT_E_CHAINING', message: 'unable to verify the first certificate' },
    { name: 'client certificate presented as a server', certs: () => [pki.client, pki.intermediate], code: 'INVALID_PURPOSE', status: 'CERT_E_WRONG_USAGE', message: 'unsuitable certificate purpose' },
  ];
  for (const c of matrix) {
    it(`${c.name} → ${c.code} (${c.status}), as node:tls says`, async () => {
      const certs = c.certs();
      const outcome = await verifyCertificateChain({ chain: der(...certs), host: 'localhost', ca });
      assertRejected(outcome, c.code, c.status);
      assert.equal(outcome.error.message, c.message);
      assert.equal((await nodeVerdict(certs, 'localhost')).code, c.code, 'node:tls gives the same code');
    });
  }

  it('wrong host → ERR_TLS_CERT_ALTNAME_INVALID (CERT_E_CN_NO_MATCH) with Node’s message, reason, host and cert', async () => {
    const outcome = await verifyCertificateChain({ chain: der(pki.wrongHost, pki.intermediate), host: 'localhost', ca });
    assertRejected(outcome, 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_E_CN_NO_MATCH');
    assert.equal(outcome.error.message, "Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: DNS:wrong.invalid");
    assert.equal(outcome.error.reason, "Host: localhost. is not in the cert's altnames: DNS:wrong.invalid");
    assert.equal(outcome.error.host, 'localhost');
    assert.equal(outcome.error.cert.subject.CN, 'wrong.invalid');
    assert.equal(outcome.error.functionName, 'CertVerifyCertificateChainPolicy');
    assert.equal(outcome.policyStatus, schannel.SecStatus.CERT_E_CN_NO_MATCH);
    const reference = tls.checkServerIdentity('localhost', (await nodeVerdict([pki.wrongHost, pki.intermediate], 'localhost')).peer);
    assert.equal(outcome.error.message, reference.message);
  });

  it('IP host 127.0.0.1 and ::1 match the leaf’s iPAddress SANs', async () => {
    for (const host of ['127.0.0.1', '::1', '0:0:0:0:0:0:0:1']) {
      const outcome = await verifyCertificateChain({ chain: der(pki.leaf, pki.intermediate), host, ca });
      assert.equal(outcome.authorized, true, `${host}: ${outcome.error?.message}`);
    }
  });

  it('an IP not in the iPAddress SANs → ERR_TLS_CERT_ALTNAME_INVALID with Node’s IP wording', async () => {
    const outcome = await verifyCertificateChain({ chain: der(pki.leaf, pki.intermediate), host: '127.0.0.2', ca });
    assertRejected(outcome, 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_E_CN_NO_MATCH');
    assert.equal(outcome.error.message, "Hostname/IP does not match certificate's altnames: IP: 127.0.0.2 is not in the cert's list: 127.0.0.1, ::1");
    const other = await verifyCertificateChain({ chain: der(pki.wrongHost, pki.intermediate), host: '127.0.0.1', ca });
    assertRejected(other, 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_E_CN_NO_MATCH');
    assert.equal((await nodeVerdict([pki.wrongHost, pki.intermediate], '127.0.0.1')).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('a chain error outranks a name mismatch, as in Node (the name is checked only on a trusted chain)', async () => {
    const outcome = await verifyCertificateChain({ chain: der(pki.expired, pki.intermediate), host: 'other.invalid', ca });
    assertRejected(outcome, 'CERT_HAS_EXPIRED', 'CERT_E_EXPIRED');
  });

  it('client role: the client certificate (clientAuth) is authorized, a server certificate is not', async () => {
    const client = await verifyCertificateChain({ chain: der(pki.client, pki.intermediate), role: 'client', ca });
    assert.equal(client.authorized, true, client.error?.message);
    const server = await verifyCertificateChain({ chain: der(pki.leaf, pki.intermediate), role: 'client', ca });
    assertRejected(server, 'INVALID_PURPOSE', 'CERT_E_WRONG_USAGE');
  });

  it('time: the verification time moves the validity window', async () => {
    const chain = der(pki.leaf, pki.intermediate);
    assert.equal((await verifyCertificateChain({ chain, host: 'localhost', ca, time: new Date(Date.now() + DAY) })).authorized, true);
    assertRejected(await verifyCertificateChain({ chain, host: 'localhost', ca, time: new Date(Date.now() + 2.5 * DAY) }), 'CERT_HAS_EXPIRED', 'CERT_E_EXPIRED');
    assertRejected(await verifyCertificateChain({ chain, host: 'localhost', ca, time: new Date(Date.now() - 2 * DAY) }), 'CERT_NOT_YET_VALID', 'CERT_E_EXPIRED');
  });

  it('ca as DER, as one PEM string holding several certificates, or as a PEM Buffer', async () => {
    const chain = der(pki.leaf, pki.intermediate);
    for (const roots of [[pki.root.der], [pki.untrustedRoot.root.certPem + pki.root.certPem], Buffer.from(pki.root.certPem)]) {
      const outcome = await verifyCertificateChain({ chain, host: 'localhost', ca: roots });
      assert.equal(outcome.authorized, true, outcome.error?.message);
    }
    const wrongRoot = await verifyCertificateChain({ chain, host: 'localhost', ca: [pki.untrustedRoot.root.der] });
    assert.equal(wrongRoot.authorized, false);
  });

  it('with ca, the exclusive-root engine makes the caller roots the only anchors (no untrusted-root bit)', (t) => {
    const request = { chain: der(pki.leaf, pki.intermediate), role: 0, revocation: 0, roots: [pki.root.der], hostName: 'localhost' };
    const raw = native().verifyCertificateChainSync(request);
    if (isWine && raw.engine === 'additional-store') {
      return t.skip(`Wine: CertCreateCertificateChainEngine with hExclusiveRoot fails with ${hex(raw.exclusiveEngineStatus)} (E_INVALIDARG); ` +
        `the fallback (roots in hAdditionalStore, top checked, ALLOW_UNKNOWN_CA policy) reports TrustStatus ${hex(raw.errorStatus)}`);
    }
    assert.equal(raw.engine, 'exclusive-root');
    assert.equal(raw.errorStatus & 0x20, 0, 'CERT_TRUST_IS_UNTRUSTED_ROOT not set');
    assert.equal(raw.policyStatus, 0);
  });
});

describe('verifyCertificateChain: system roots (no ca)', () => {
  it('a test-PKI chain is not trusted by the system ROOT store', async () => {
    const outcome = await verifyCertificateChain({ chain: der(pki.leaf, pki.intermediate), host: 'localhost' });
    assertRejected(outcome, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_E_CHAINING');
    assert.equal(outcome.engine, 'default');
    assert.ok(outcome.trustStatus.errorNames.includes('CERT_TRUST_IS_PARTIAL_CHAIN'), outcome.trustStatus.errorNames.join());
    assert.equal((await nodeVerdict([pki.leaf, pki.intermediate], 'localhost', null)).code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('with its untrusted root presented → SELF_SIGNED_CERT_IN_CHAIN', async () => {
    const outcome = await verifyCertificateChain({ chain: der(pki.leaf, pki.intermediate, pki.root), host: 'localhost' });
    assertRejected(outcome, 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_E_UNTRUSTEDROOT');
    assert.equal((await nodeVerdict([pki.leaf, pki.intermediate, pki.root], 'localhost', null)).code, 'SELF_SIGNED_CERT_IN_CHAIN');
  });

  it('the SSL policy itself rejects the partial chain (Windows: CERT_E_CHAINING or CERT_E_UNTRUSTEDROOT)', async (t) => {
    const outcome = await verifyCertificateChain({ chain: der(pki.leaf, pki.intermediate), host: 'localhost', revocation: 'off' });
    if (isWine && outcome.policyStatus === 0) {
      return t.skip(`Wine: CERT_CHAIN_POLICY_SSL returns 0 for a chain whose TrustStatus is ${hex(outcome.trustStatus.errorStatus)} ` +
        '(CERT_TRUST_IS_PARTIAL_CHAIN); the verdict comes from the trust bits');
    }
    assert.ok([schannel.SecStatus.CERT_E_CHAINING, schannel.SecStatus.CERT_E_UNTRUSTEDROOT].includes(outcome.policyStatus), hex(outcome.policyStatus));
  });
});

// ---------------------------------------------------------------------------
// Revocation: CRLs served over loopback HTTP from this process (crypt32 fetches them itself).

function issueWithCdp({ cn, issuer, serial, crlUrl, dns = ['localhost'] }) {
  const { key, publicKey } = newKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + DAY);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer(issuer.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: dns.map((value) => ({ type: 2, value })) },
    { name: 'cRLDistributionPoints', altNames: [{ type: 6, value: crlUrl }] },
    { name: 'authorityKeyIdentifier', keyIdentifier: issuer.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(issuer.key, forge.md.sha256.create());
  return { cert, key, der: Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary') };
}

// A v2 CRL (RFC 5280 §5.1) signed by `issuer`, revoking the given serial numbers (hex).
function makeCrl(issuer, revokedSerials) {
  const { asn1 } = forge;
  const U = asn1.Class.UNIVERSAL;
  const seq = (items) => asn1.create(U, asn1.Type.SEQUENCE, true, items);
  const int = (hexValue) => asn1.create(U, asn1.Type.INTEGER, false, forge.util.hexToBytes(hexValue));
  const time = (date) => asn1.create(U, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date));
  const sha256WithRsa = () => seq([asn1.create(U, asn1.Type.OID, false, asn1.oidToDer('1.2.840.113549.1.1.11').getBytes()), asn1.create(U, asn1.Type.NULL, false, '')]);
  const items = [
    int('01'),
    sha256WithRsa(),
    forge.pki.distinguishedNameToAsn1(issuer.cert.subject),
    time(new Date(Date.now() - DAY)),
    time(new Date(Date.now() + DAY)),
  ];
  if (revokedSerials.length > 0) items.push(seq(revokedSerials.map((serial) => seq([int(serial), time(new Date(Date.now() - 3_600_000))]))));
  const tbs = seq(items);
  const md = forge.md.sha256.create();
  md.update(asn1.toDer(tbs).getBytes());
  const signature = issuer.key.sign(md);
  const crl = seq([tbs, sha256WithRsa(), asn1.create(U, asn1.Type.BITSTRING, false, `\x00${signature}`)]);
  return Buffer.from(asn1.toDer(crl).getBytes(), 'binary');
}

describe('verifyCertificateChain: revocation', () => {
  let server;
  let base;
  let delayMs = 0;
  const hits = [];
  const run = randomUUID();
  let crl;

  before(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url.startsWith(`/${run}/`) ? req.url.slice(run.length + 1) : req.url); // the path after the run's own segment
      setTimeout(() => {
        if (req.url.includes('/intermediate.crl')) {
          res.writeHead(200, { 'content-type': 'application/pkix-crl' });
          res.end(crl);
        } else {
          res.writeHead(404);
          res.end();
        }
      }, delayMs);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    // Each run's URLs are its own: crypt32 keeps fetched CRLs in the URL cache of the Wine prefix
    // (or the Windows profile), which outlives the run, and a later run that got the same port
    // would be answered from there without a request (seen: 93 cached "?revoked" URLs in a
    // development prefix, and one run that found its URL among them).
    base = `http://127.0.0.1:${server.address().port}/${run}`;
    crl = makeCrl(pki.intermediate, ['0bad01']);
  });
  after(() => server.close());

  it('strict, and no revocation information anywhere → UNABLE_TO_GET_CRL', async () => {
    const outcome = await verifyCertificateChain({ chain: der(pki.leaf, pki.intermediate), host: 'localhost', ca, revocation: 'strict' });
    assertRejected(outcome, 'UNABLE_TO_GET_CRL');
    assert.ok(['CERT_E_REVOCATION_FAILURE', 'CRYPT_E_NO_REVOCATION_CHECK', 'CRYPT_E_REVOCATION_OFFLINE'].includes(outcome.error.statusName), outcome.error.statusName);
    assert.equal(outcome.error.message, 'unable to get certificate CRL');
  });

  it('best-effort (the default) and off accept the same chain', async () => {
    for (const revocation of [undefined, 'best-effort', 'off']) {
      const outcome = await verifyCertificateChain({ chain: der(pki.leaf, pki.intermediate), host: 'localhost', ca, revocation });
      assert.equal(outcome.authorized, true, `${revocation}: ${outcome.error?.message}`);
    }
  });

  it('best-effort does not go to the network', async () => {
    const before = hits.length;
    const leaf = issueWithCdp({ cn: 'localhost', issuer: pki.intermediate, serial: '0bad02', crlUrl: `${base}/intermediate.crl?best-effort` });
    const outcome = await verifyCertificateChain({ chain: [leaf.der, pki.intermediate.der], host: 'localhost', ca });
    assert.equal(outcome.authorized, true, outcome.error?.message);
    assert.equal(hits.length, before, 'no CRL request');
  });

  it('strict: a leaf revoked by its issuer’s CRL → CERT_REVOKED', async (t) => {
    const leaf = issueWithCdp({ cn: 'localhost', issuer: pki.intermediate, serial: '0bad01', crlUrl: `${base}/intermediate.crl?revoked` });
    const outcome = await verifyCertificateChain({ chain: [leaf.der, pki.intermediate.der], host: 'localhost', ca, revocation: 'strict' });
    assert.ok(hits.some((url) => url.endsWith('?revoked')), 'crypt32 fetched the CRL');
    t.diagnostic(`error status ${outcome.error.statusName}, policy ${hex(outcome.policyStatus)}, trust ${outcome.trustStatus.errorNames.join(' ')}`);
    assertRejected(outcome, 'CERT_REVOKED');
    assert.ok(['CRYPT_E_REVOKED', 'CERT_E_REVOKED'].includes(outcome.error.statusName), outcome.error.statusName);
    assert.equal(outcome.error.depth, 0);
    assert.equal(outcome.error.message, 'certificate revoked');
    assert.ok(outcome.trustStatus.errorNames.includes('CERT_TRUST_IS_REVOKED'));
  });

  it('the async version does not block the event loop while crypt32 waits on the network', async () => {
    delayMs = 800;
    const leaf = issueWithCdp({ cn: 'localhost', issuer: pki.intermediate, serial: '0bad03', crlUrl: `${base}/slow.crl` });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = Date.now();
    try {
      // The CRL server lives in this process: it can only answer if the event loop runs.
      const outcome = await verifyCertificateChain({ chain: [leaf.der, pki.intermediate.der], host: 'localhost', ca, revocation: 'strict' });
      const elapsed = Date.now() - started;
      assert.ok(hits.includes('/slow.crl'), 'the CRL request reached the server');
      assert.ok(elapsed >= 700, `took ${elapsed} ms`);
      // A blocked loop would tick once or not at all; a tenth of the ideal count leaves room for a
      // loaded CI machine, where 10 ms timers under Wine run late.
      assert.ok(ticks >= Math.max(5, elapsed / 10 / 10), `${ticks} timer ticks in ${elapsed} ms`);
      assertRejected(outcome, 'UNABLE_TO_GET_CRL');
    } finally {
      clearInterval(timer);
      delayMs = 0;
    }
  });
});

// ---------------------------------------------------------------------------

describe('verifyCertificateChain: results, concurrency, abuse and leaks', () => {
  it('the sync twin gives the same outcome as the async one', async () => {
    for (const certs of [[pki.leaf, pki.intermediate], [pki.expired, pki.intermediate], [pki.selfSigned], [pki.leaf]]) {
      const options = { chain: der(...certs), host: 'localhost', ca };
      const a = await verifyCertificateChain(options);
      const b = verifyCertificateChainSync(options);
      assert.equal(b.authorized, a.authorized);
      assert.equal(b.error?.code, a.error?.code);
      assert.equal(b.error?.status, a.error?.status);
      assert.deepEqual(b.trustStatus, a.trustStatus);
    }
  });

  it('peerCertificateObject(outcome.chain, true) equals node:tls getPeerCertificate(true) here', async () => {
    const outcome = await verifyCertificateChain({ chain: der(pki.leaf, pki.intermediate), host: 'localhost', ca });
    const ours = peerCertificateObject(outcome.chain, true);
    const { peer } = await nodeVerdict([pki.leaf, pki.intermediate], 'localhost');
    let a = ours;
    let b = peer;
    for (let depth = 0; depth < 3; depth++) {
      const { issuerCertificate: ia, ...restA } = a;
      const { issuerCertificate: ib, ...restB } = b;
      assert.deepEqual(restA, restB, `depth ${depth}`);
      a = ia;
      b = ib;
    }
    assert.equal(a.issuerCertificate, a, 'the root points at itself');
  });

  it('64 verifications in parallel on the thread pool each get their own answer', async () => {
    const cases = [
      [[pki.leaf, pki.intermediate], null],
      [[pki.expired, pki.intermediate], 'CERT_HAS_EXPIRED'],
      [[pki.selfSigned], 'DEPTH_ZERO_SELF_SIGNED_CERT'],
      [[pki.wrongHost, pki.intermediate], 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ];
    const runs = Array.from({ length: 64 }, (_, i) => cases[i % cases.length]);
    const outcomes = await Promise.all(runs.map(([certs]) => verifyCertificateChain({ chain: der(...certs), host: 'localhost', ca })));
    outcomes.forEach((outcome, i) => assert.equal(outcome.error?.code ?? null, runs[i][1], `run ${i}`));
  });

  it('a certificate that is not DER rejects with a SchannelError naming it', async () => {
    await assert.rejects(verifyCertificateChain({ chain: [Buffer.from('not a certificate')] }), (err) => {
      assert.ok(err instanceof schannel.SchannelError);
      assert.match(err.code, /^CRYPT_E_ASN1_/);
      assert.equal(err.functionName, 'CertAddEncodedCertificateToStore');
      assert.equal(err.certificate, 'options.chain[0]');
      return true;
    });
    assert.throws(() => verifyCertificateChainSync({ chain: der(pki.leaf), ca: [Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])] }), (err) => {
      assert.ok(err instanceof schannel.SchannelError);
      assert.equal(err.certificate, 'options.ca');
      return true;
    });
  });

  it('argument errors are Node-style TypeErrors', async () => {
    await assert.rejects(verifyCertificateChain({ chain: [] }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => verifyCertificateChainSync({ chain: der(pki.leaf), role: 'peer' }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => native().verifyCertificateChainSync({ chain: 'x', role: 0, revocation: 1 }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  });

  it('debugStats() (chain contexts and engines included) returns to its start counts', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(schannel.debugStats(), startStats);
    assert.equal(schannel.debugStats().chainContexts, 0);
    assert.equal(schannel.debugStats().chainEngines, 0);
  });
});
