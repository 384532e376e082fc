// lib/certs/strength.ts: the security-level check verify.ts applies after crypt32. The verdicts are
// compared with node:tls's for the same chain (an in-process server and client, the client at an
// explicit `@SECLEVEL`), and verify.ts's use of them is driven through a stand-in for the native
// chain engine that accepts every chain, as Wine's crypt32 does for these.
import crypto, { type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const engine = vi.hoisted(() => ({ chain: null as Buffer[] | null, complete: true, policyStatus: 0, requests: [] as unknown[] }));
vi.mock('../../lib/native', () => {
  const verify = (request: { chain: Uint8Array[] }) => {
    engine.requests.push(request);
    const chain = engine.chain ?? request.chain.map((d) => Buffer.from(d));
    return {
      status: 0,
      engine: 'additional-store',
      errorStatus: 0,
      infoStatus: 0,
      effectiveErrorStatus: 0,
      policyStatus: engine.policyStatus,
      complete: engine.complete,
      anchorIsCallerRoot: engine.complete,
      chain: chain.map((der, i) => ({ der, errorStatus: 0, infoStatus: 0, timeValidity: 0, presented: i < request.chain.length, callerRoot: false })),
    };
  };
  return { native: () => ({ verifyCertificateChainSync: verify, verifyCertificateChain: async (r: never) => verify(r) }) };
});

import {
  checkChainStrength, defaultSecurityLevel, keySecurityBits, signatureAlgorithmOid, signatureSecurityBits, validateSecurityLevel, requestedSecurityLevel,
} from '../../lib/certs/strength';
import { VerificationError, verifyCertificateChain, verifyCertificateChainSync } from '../../lib/certs/verify';
import { connect, createServer } from '../../lib/tls';
import { SchannelError } from '../../lib/sspi/errors';

const require = createRequire(import.meta.url);
const forge = require('node-forge');
const { makeTestPki } = require('../support/pki.cjs');
const pki = makeTestPki();

// ---------------------------------------------------------------------------
// Certificates of any key type and signature algorithm, built with forge's ASN.1 and signed with
// node:crypto (forge's own certificates are RSA only).

const A = forge.asn1;
const seq = (...items: unknown[]) => A.create(A.Class.UNIVERSAL, A.Type.SEQUENCE, true, items);
const oid = (text: string) => A.create(A.Class.UNIVERSAL, A.Type.OID, false, A.oidToDer(text).getBytes());
const nul = () => A.create(A.Class.UNIVERSAL, A.Type.NULL, false, '');
const fromDer = (der: Buffer) => A.fromDer(der.toString('binary'));
const toDer = (node: unknown) => Buffer.from(A.toDer(node).getBytes(), 'binary');
const explicit = (tag: number, inner: unknown) => A.create(A.Class.CONTEXT_SPECIFIC, tag, true, [inner]);

function name(cn: string) {
  return seq(A.create(A.Class.UNIVERSAL, A.Type.SET, true, [seq(oid('2.5.4.3'), A.create(A.Class.UNIVERSAL, A.Type.UTF8, false, cn))]));
}

function extension(id: string, critical: boolean, value: unknown) {
  const fields = [oid(id)];
  if (critical) fields.push(A.create(A.Class.UNIVERSAL, A.Type.BOOLEAN, false, '\xff'));
  fields.push(A.create(A.Class.UNIVERSAL, A.Type.OCTETSTRING, false, A.toDer(value).getBytes()));
  return seq(...fields);
}

const hashOids: Record<string, string> = {
  sha1: '1.3.14.3.2.26', sha256: '2.16.840.1.101.3.4.2.1', sha384: '2.16.840.1.101.3.4.2.2', sha512: '2.16.840.1.101.3.4.2.3',
};

type Signature = 'rsa-md5' | 'rsa-sha1' | 'rsa-sha256' | 'rsa-sha384' | 'pss-sha1' | 'pss-sha256' | 'ecdsa-sha1' | 'ecdsa-sha256' | 'ed25519' | 'dsa-sha1' | 'dsa-sha256';

// The AlgorithmIdentifier and the node:crypto signing call for each signature kind.
function signer(kind: Signature): { algorithm: unknown; sign: (data: Buffer, key: KeyObject) => Buffer } {
  const [family, hash] = kind.split('-') as [string, string];
  switch (family) {
    case 'rsa': {
      const oids: Record<string, string> = { md5: '1.2.840.113549.1.1.4', sha1: '1.2.840.113549.1.1.5', sha256: '1.2.840.113549.1.1.11', sha384: '1.2.840.113549.1.1.12' };
      return { algorithm: seq(oid(oids[hash]), nul()), sign: (data, key) => crypto.sign(hash, data, key) };
    }
    case 'pss': {
      const hashAlgorithm = seq(oid(hashOids[hash]), nul());
      const size = crypto.createHash(hash).digest().length;
      const parameters = hash === 'sha1'
        ? seq() // every field at its default: SHA-1, MGF1 with SHA-1, 20-byte salt
        : seq(explicit(0, hashAlgorithm), explicit(1, seq(oid('1.2.840.113549.1.1.8'), hashAlgorithm)), explicit(2, A.create(A.Class.UNIVERSAL, A.Type.INTEGER, false, String.fromCharCode(size))));
      return {
        algorithm: seq(oid('1.2.840.113549.1.1.10'), parameters),
        sign: (data, key) => crypto.sign(hash, data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: size }),
      };
    }
    case 'ecdsa':
      return { algorithm: seq(oid(hash === 'sha1' ? '1.2.840.10045.4.1' : '1.2.840.10045.4.3.2')), sign: (data, key) => crypto.sign(hash, data, key) };
    case 'dsa':
      return { algorithm: seq(oid(hash === 'sha1' ? '1.2.840.10040.4.3' : '2.16.840.1.101.3.4.3.2')), sign: (data, key) => crypto.sign(hash, data, key) };
    default:
      return { algorithm: seq(oid('1.3.101.112')), sign: (data, key) => crypto.sign(null, data, key) };
  }
}

interface Made {
  cn: string;
  der: Buffer;
  pem: string;
  privateKey: KeyObject;
  keyPem: string;
}

type KeySpec = ['rsa', number] | ['ec', string] | ['ed25519'] | ['dsa', number];
const keyCache = new Map<string, crypto.KeyPairKeyObjectResult>();
function keyPair(spec: KeySpec, fresh = false): crypto.KeyPairKeyObjectResult {
  const id = spec.join(':');
  if (!fresh && keyCache.has(id)) return keyCache.get(id)!;
  let pair: crypto.KeyPairKeyObjectResult;
  if (spec[0] === 'rsa') pair = crypto.generateKeyPairSync('rsa', { modulusLength: spec[1] });
  else if (spec[0] === 'ec') pair = crypto.generateKeyPairSync('ec', { namedCurve: spec[1] });
  else if (spec[0] === 'dsa') pair = crypto.generateKeyPairSync('dsa', { modulusLength: spec[1], divisorLength: spec[1] >= 2048 ? 256 : 160 });
  else pair = crypto.generateKeyPairSync('ed25519');
  if (!fresh) keyCache.set(id, pair);
  return pair;
}

let serial = 1;
function make({ cn, key = ['rsa', 2048], issuer, signature = 'rsa-sha256', ca = !issuer || cn.includes('CA') }: {
  cn: string;
  key?: KeySpec;
  issuer?: Made;
  signature?: Signature;
  ca?: boolean;
}): Made {
  const { publicKey, privateKey } = keyPair(key, true);
  const { algorithm, sign } = signer(signature);
  const now = Date.now();
  const extensions = [extension('2.5.29.19', true, ca ? seq(A.create(A.Class.UNIVERSAL, A.Type.BOOLEAN, false, '\xff')) : seq())];
  if (!ca) extensions.push(extension('2.5.29.17', false, seq(A.create(A.Class.CONTEXT_SPECIFIC, 2, false, 'localhost'))));
  const tbs = seq(
    explicit(0, A.create(A.Class.UNIVERSAL, A.Type.INTEGER, false, '\x02')),
    A.create(A.Class.UNIVERSAL, A.Type.INTEGER, false, `\x01${String.fromCharCode(serial++ & 0x7f)}${crypto.randomBytes(6).toString('binary')}`),
    algorithm,
    name(issuer?.cn ?? cn),
    seq(A.create(A.Class.UNIVERSAL, A.Type.UTCTIME, false, A.dateToUtcTime(new Date(now - 86_400_000))),
      A.create(A.Class.UNIVERSAL, A.Type.UTCTIME, false, A.dateToUtcTime(new Date(now + 86_400_000)))),
    name(cn),
    fromDer(publicKey.export({ type: 'spki', format: 'der' })),
    explicit(3, seq(...extensions)),
  );
  const tbsDer = toDer(tbs);
  const value = sign(tbsDer, issuer?.privateKey ?? privateKey);
  const der = toDer(seq(tbs, algorithm, A.create(A.Class.UNIVERSAL, A.Type.BITSTRING, false, `\x00${value.toString('binary')}`)));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
  return { cn, der, pem, privateKey, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** What node:tls in this process says for the chain (leaf first, root last) at `level`: its message or null. */
async function nodeSays(chain: Made[], level: number): Promise<string | null> {
  const [leaf, ...rest] = chain;
  const root = rest.length > 0 ? rest[rest.length - 1] : leaf;
  const server = tls.createServer({
    key: leaf.keyPem, cert: [leaf, ...rest.slice(0, -1)].map((c) => c.pem).join(''),
    ciphers: 'DEFAULT@SECLEVEL=0', maxVersion: 'TLSv1.2',
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve) => {
      const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: root.pem, ciphers: `DEFAULT@SECLEVEL=${level}` }, () => {
        socket.destroy();
        resolve(null);
      });
      socket.on('error', (error) => resolve(error.message));
    });
  } finally {
    server.close();
  }
}

const weak = (code: string, depth: number) => expect.objectContaining({ code, depth });

// ---------------------------------------------------------------------------

describe('security bits of keys and signatures (OpenSSL\'s counts)', () => {
  it.each([
    [['rsa', 512], 0], [['rsa', 1024], 80], [['rsa', 2048], 112], [['rsa', 3072], 128],
    [['ec', 'prime192v1'], 80], [['ec', 'secp224r1'], 112], [['ec', 'prime256v1'], 128], [['ec', 'secp384r1'], 192], [['ec', 'secp521r1'], 256],
    [['ed25519'], 128], [['dsa', 1024], 80], [['dsa', 2048], 112],
  ] as [KeySpec, number][])('%j: %i bits', (spec, bits) => {
    expect(keySecurityBits(keyPair(spec).publicKey)).toBe(bits);
  });

  it.each([
    ['rsa-md5', 39], ['rsa-sha1', 63], ['rsa-sha256', 128], ['rsa-sha384', 192], ['pss-sha1', 64], ['pss-sha256', 128],
    ['ecdsa-sha1', 63], ['ecdsa-sha256', 128], ['ed25519', 128], ['dsa-sha1', 63], ['dsa-sha256', 128],
  ] as [Signature, number][])('a certificate signed %s: %i bits', (signature, bits) => {
    const family = signature.split('-')[0];
    const key: KeySpec = family === 'ecdsa' ? ['ec', 'prime256v1'] : family === 'ed25519' ? ['ed25519'] : family === 'dsa' ? ['dsa', 2048] : ['rsa', 2048];
    const cert = make({ cn: `self ${signature}`, key, signature });
    expect(new crypto.X509Certificate(cert.der).verify(new crypto.X509Certificate(cert.der).publicKey)).toBe(true);
    expect(signatureSecurityBits(cert.der)).toBe(bits);
  });

  it('reads the signature algorithm OID from the DER (X509Certificate has no getter for it)', () => {
    expect(signatureAlgorithmOid(pki.leaf.der)).toBe('1.2.840.113549.1.1.11');
    expect(signatureAlgorithmOid(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]))).toBeNull();
    expect(signatureSecurityBits(Buffer.from('not a certificate'))).toBeNull();
  });

  it('the shared test PKI (pki.cjs) passes level 2: 2048-bit RSA keys, SHA-256 signatures', () => {
    for (const chain of [[pki.leaf, pki.intermediate, pki.root], [pki.client, pki.intermediate, pki.root], [pki.selfSigned]]) {
      expect(checkChainStrength(chain.map((c: { der: Buffer }) => c.der), 2, true)).toBeNull();
    }
  });
});

describe('checkChainStrength: node:tls\'s verdict for the same chain', () => {
  const root = make({ cn: 'root CA' });
  const sha1Root = make({ cn: 'sha1 root CA', signature: 'rsa-sha1' });
  const smallRoot = make({ cn: 'small root CA', key: ['rsa', 1024] });
  const intermediate = make({ cn: 'intermediate CA', issuer: root });
  const sha1Intermediate = make({ cn: 'sha1 intermediate CA', issuer: root, signature: 'rsa-sha1' });
  const cases: { name: string; chain: () => Made[]; level1: [string, number] | null; level2: [string, number] | null }[] = [
    { name: 'good chain', chain: () => [make({ cn: 'leaf', issuer: intermediate }), intermediate, root], level1: null, level2: null },
    { name: '512-bit RSA leaf', chain: () => [make({ cn: 'leaf', issuer: root, key: ['rsa', 512] }), root], level1: ['EE_KEY_TOO_SMALL', 0], level2: ['EE_KEY_TOO_SMALL', 0] },
    { name: '1024-bit RSA leaf', chain: () => [make({ cn: 'leaf', issuer: root, key: ['rsa', 1024] }), root], level1: null, level2: ['EE_KEY_TOO_SMALL', 0] },
    { name: '1024-bit RSA root', chain: () => [make({ cn: 'leaf', issuer: smallRoot }), smallRoot], level1: null, level2: ['CA_KEY_TOO_SMALL', 1] },
    { name: 'SHA-1-signed leaf', chain: () => [make({ cn: 'leaf', issuer: root, signature: 'rsa-sha1' }), root], level1: ['CA_MD_TOO_WEAK', 0], level2: ['CA_MD_TOO_WEAK', 0] },
    { name: 'MD5-signed leaf', chain: () => [make({ cn: 'leaf', issuer: root, signature: 'rsa-md5' }), root], level1: ['CA_MD_TOO_WEAK', 0], level2: ['CA_MD_TOO_WEAK', 0] },
    { name: 'RSA-PSS SHA-1 leaf', chain: () => [make({ cn: 'leaf', issuer: root, signature: 'pss-sha1' }), root], level1: ['CA_MD_TOO_WEAK', 0], level2: ['CA_MD_TOO_WEAK', 0] },
    { name: 'SHA-1 self-signature of the root only (ignored)', chain: () => [make({ cn: 'leaf', issuer: sha1Root }), sha1Root], level1: null, level2: null },
    { name: 'SHA-1-signed intermediate', chain: () => [make({ cn: 'leaf', issuer: sha1Intermediate }), sha1Intermediate, root], level1: ['CA_MD_TOO_WEAK', 1], level2: ['CA_MD_TOO_WEAK', 1] },
    { name: '512-bit SHA-1-signed leaf (the last problem wins)', chain: () => [make({ cn: 'leaf', issuer: root, key: ['rsa', 512], signature: 'rsa-sha1' }), root], level1: ['CA_MD_TOO_WEAK', 0], level2: ['CA_MD_TOO_WEAK', 0] },
    { name: 'P-256 leaf, ECDSA-SHA256 from a P-256 root', chain: () => { const ecRoot = make({ cn: 'ec root CA', key: ['ec', 'prime256v1'], signature: 'ecdsa-sha256' }); return [make({ cn: 'leaf', issuer: ecRoot, key: ['ec', 'prime256v1'], signature: 'ecdsa-sha256' }), ecRoot]; }, level1: null, level2: null },
    { name: 'P-256 leaf signed ECDSA-SHA1', chain: () => { const ecRoot = make({ cn: 'ec root CA', key: ['ec', 'prime256v1'], signature: 'ecdsa-sha256' }); return [make({ cn: 'leaf', issuer: ecRoot, key: ['ec', 'prime256v1'], signature: 'ecdsa-sha1' }), ecRoot]; }, level1: ['CA_MD_TOO_WEAK', 0], level2: ['CA_MD_TOO_WEAK', 0] },
    { name: 'Ed25519 leaf and root', chain: () => { const edRoot = make({ cn: 'ed root CA', key: ['ed25519'], signature: 'ed25519' }); return [make({ cn: 'leaf', issuer: edRoot, key: ['ed25519'], signature: 'ed25519' }), edRoot]; }, level1: null, level2: null },
  ];
  const messages: Record<string, string> = {
    EE_KEY_TOO_SMALL: 'EE certificate key too weak', CA_KEY_TOO_SMALL: 'CA certificate key too weak', CA_MD_TOO_WEAK: 'CA signature digest algorithm too weak',
  };

  for (const c of cases) {
    it(`${c.name}: level 1 ${c.level1?.[0] ?? 'passes'}, level 2 ${c.level2?.[0] ?? 'passes'}, level 0 passes`, async () => {
      const chain = c.chain();
      const der = chain.map((m) => m.der);
      for (const [level, expected] of [[1, c.level1], [2, c.level2]] as const) {
        const failure = checkChainStrength(der, level, true);
        if (expected === null) expect(failure, `level ${level}`).toBeNull();
        else expect(failure, `level ${level}`).toEqual(weak(expected[0], expected[1]));
        expect(await nodeSays(chain, level), `node:tls at level ${level}`).toBe(expected === null ? null : messages[expected[0]]);
      }
      expect(checkChainStrength(der, 0, true)).toBeNull();
    });
  }

  it('without a trust anchor every signature counts, the top one included', () => {
    const chain = [make({ cn: 'leaf', issuer: sha1Root }).der, sha1Root.der];
    expect(checkChainStrength(chain, 2, true)).toBeNull();
    expect(checkChainStrength(chain, 2, false)).toEqual(weak('CA_MD_TOO_WEAK', 1));
  });

  it('levels 3 to 5 ask for 128, 192, 256 bits', () => {
    const leaf = make({ cn: 'leaf', issuer: root }); // 2048-bit RSA: 112 bits; SHA-256: 128
    expect(checkChainStrength([leaf.der, root.der], 3, true)).toEqual({ code: 'CA_KEY_TOO_SMALL', message: 'CA certificate key too weak', depth: 1, bits: 112, required: 128 });
    const p384Root = make({ cn: 'p384 root CA', key: ['ec', 'secp384r1'], signature: 'ecdsa-sha256' });
    const p384Leaf = make({ cn: 'leaf', issuer: p384Root, key: ['ec', 'secp384r1'], signature: 'ecdsa-sha256' });
    expect(checkChainStrength([p384Leaf.der, p384Root.der], 4, true)).toEqual(weak('CA_MD_TOO_WEAK', 0)); // SHA-256: 128 < 192
  });
});

describe('defaultSecurityLevel and validateSecurityLevel', () => {
  it.each([['20.20.2', 1], ['22.23.3', 1], ['24.4.1', 1], ['24.5.0', 2], ['24.21.0', 2], ['26.10.0', 2]])('node %s: level %i (as node:tls)', (version, level) => {
    expect(defaultSecurityLevel(version)).toBe(level);
  });

  it.each([
    ['a string', '2', 'ERR_INVALID_ARG_TYPE', TypeError],
    ['null', null, 'ERR_INVALID_ARG_TYPE', TypeError],
    ['a fraction', 1.5, 'ERR_OUT_OF_RANGE', RangeError],
    ['negative', -1, 'ERR_OUT_OF_RANGE', RangeError],
    ['above 5', 6, 'ERR_OUT_OF_RANGE', RangeError],
    ['NaN', Number.NaN, 'ERR_OUT_OF_RANGE', RangeError],
  ])('refuses %s with %s', (_label, value, code, type) => {
    expect(() => validateSecurityLevel(value, 'options.securityLevel')).toThrowError(expect.objectContaining({ code, name: type.name }));
  });

  it('names the option as Node does', () => {
    expect(() => validateSecurityLevel(6, 'options.securityLevel')).toThrowError('The value of "options.securityLevel" is out of range. It must be >= 0 && <= 5. Received 6');
  });
});

describe('requestedSecurityLevel: securityLevel, or node:tls\'s ciphers @SECLEVEL', () => {
  it.each([
    [{}, undefined],
    [{ securityLevel: 0 }, 0],
    [{ ciphers: 'DEFAULT@SECLEVEL=0' }, 0],
    [{ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=1' }, 1],
    [{ ciphers: 'HIGH:!aNULL' }, undefined],
    [{ securityLevel: 2, ciphers: 'DEFAULT@SECLEVEL=0' }, 2],
  ])('%o gives %s', (options, level) => {
    expect(requestedSecurityLevel(options)).toBe(level);
  });

  it('refuses a level out of range in either form', () => {
    expect(() => requestedSecurityLevel({ ciphers: 'DEFAULT@SECLEVEL=9' })).toThrowError(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => requestedSecurityLevel({ securityLevel: 'high' })).toThrowError(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('verifyCertificateChain applies the level after the chain engine', () => {
  const root = make({ cn: 'root CA' });
  const small = make({ cn: 'leaf', issuer: root, key: ['rsa', 512] });
  const sha1 = make({ cn: 'leaf', issuer: root, signature: 'rsa-sha1' });
  const medium = make({ cn: 'leaf', issuer: root, key: ['rsa', 1024] });
  const good = make({ cn: 'leaf', issuer: root });
  beforeEach(() => {
    engine.chain = null;
    engine.complete = true;
    engine.policyStatus = 0;
  });
  const built = (...certs: Made[]) => { engine.chain = certs.map((c) => c.der); };

  it('a 512-bit leaf: authorized false, a VerificationError EE_KEY_TOO_SMALL at depth 0, no Windows status', async () => {
    built(small, root);
    const outcome = await verifyCertificateChain({ chain: [small.der], ca: root.pem });
    expect(outcome.authorized).toBe(false);
    expect(outcome.error).toBeInstanceOf(VerificationError);
    expect(outcome.error).toBeInstanceOf(SchannelError);
    expect(outcome.error).toMatchObject({ code: 'EE_KEY_TOO_SMALL', message: 'EE certificate key too weak', depth: 0, status: undefined });
    expect(outcome.chain).toHaveLength(2);
    expect(outcome.policyStatus).toBe(0);
  });

  it('a SHA-1-signed leaf, sync: CA_MD_TOO_WEAK', () => {
    built(sha1, root);
    const outcome = verifyCertificateChainSync({ chain: [sha1.der], ca: root.pem });
    expect(outcome.error).toMatchObject({ code: 'CA_MD_TOO_WEAK', message: 'CA signature digest algorithm too weak', depth: 0 });
  });

  it('securityLevel 0 checks nothing; 1 lets a 1024-bit key through and 2 does not', async () => {
    built(small, root);
    expect((await verifyCertificateChain({ chain: [small.der], securityLevel: 0 })).authorized).toBe(true);
    built(medium, root);
    expect((await verifyCertificateChain({ chain: [medium.der], securityLevel: 1 })).authorized).toBe(true);
    expect((await verifyCertificateChain({ chain: [medium.der], securityLevel: 2 })).error?.code).toBe('EE_KEY_TOO_SMALL');
  });

  it('the default is node:tls\'s level in this Node', async () => {
    built(medium, root);
    const outcome = await verifyCertificateChain({ chain: [medium.der] });
    expect(outcome.authorized).toBe(defaultSecurityLevel() < 2);
  });

  it('a good chain stays authorized', async () => {
    built(good, root);
    const outcome = await verifyCertificateChain({ chain: [good.der], securityLevel: 2 });
    expect(outcome).toMatchObject({ authorized: true, error: null });
  });

  it('a weak chain with a wrong name: the weakness, as node:tls checks the name only after OpenSSL passed', async () => {
    built(small, root);
    engine.policyStatus = 0x800b010f; // CERT_E_CN_NO_MATCH
    const outcome = await verifyCertificateChain({ chain: [small.der], host: 'elsewhere.invalid', securityLevel: 2 });
    expect(outcome.error?.code).toBe('EE_KEY_TOO_SMALL');
    built(good, root);
    const named = await verifyCertificateChain({ chain: [good.der], host: 'elsewhere.invalid', securityLevel: 2 });
    expect(named.error?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('a chain the engine refused keeps the engine\'s verdict', async () => {
    built(small, root);
    engine.policyStatus = 0x800b0109; // CERT_E_UNTRUSTEDROOT
    const outcome = await verifyCertificateChain({ chain: [small.der], securityLevel: 2 });
    expect(outcome.error?.code).not.toBe('EE_KEY_TOO_SMALL');
  });

  it('a bad securityLevel is refused before the engine is asked', () => {
    const before = engine.requests.length;
    expect(() => verifyCertificateChainSync({ chain: [good.der], securityLevel: 'high' as never })).toThrowError(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => verifyCertificateChainSync({ chain: [good.der], securityLevel: 9 })).toThrowError(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(engine.requests.length).toBe(before);
  });
});

describe('connect() and createServer() take securityLevel', () => {
  it.each([['a string', 'high', 'ERR_INVALID_ARG_TYPE'], ['above 5', 6, 'ERR_OUT_OF_RANGE'], ['a fraction', 0.5, 'ERR_OUT_OF_RANGE']])(
    'refuse %s (%s) with %s before anything is opened', (_label, securityLevel, code) => {
      expect(() => connect({ port: 1, securityLevel: securityLevel as never })).toThrowError(expect.objectContaining({ code }));
      expect(() => createServer({ pfx: Buffer.alloc(1), securityLevel: securityLevel as never })).toThrowError(expect.objectContaining({ code }));
    },
  );
});
