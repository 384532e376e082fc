// QueryContextAttributes after a TLS 1.2 handshake, checked against what the server (node.exe's tls,
// OpenSSL) says it did. Attributes Wine does not implement are written to Windows' documented
// behaviour and skipped under Wine with the status Wine returned.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { clientCredential, clientHandshake, closeRun, schannel } from '../support/handshake.mjs';
import { isWine, NET_TIMEOUT, startNodeTlsServer, stopAllPeers, testPki } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const forge = require('node-forge');
const { pfx } = require('../support/pki.cjs');
const { queryContextAttributes, AlgId, SpProt } = schannel;

// IANA numbers of the suites node.exe's OpenSSL may pick for a TLS 1.2 client.
const ianaSuites = {
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_RSA_WITH_AES_128_GCM_SHA256: 0x009c,
  TLS_RSA_WITH_AES_256_GCM_SHA384: 0x009d,
};

/** The attribute, or an explicit skip when Wine does not implement it (the status named). */
function queryOrSkipOnWine(t, context, name) {
  try {
    return queryContextAttributes(context, name);
  } catch (err) {
    if (isWine && err.code === 'SEC_E_UNSUPPORTED_FUNCTION') {
      t.skip(`Wine: QueryContextAttributesW(SECPKG_ATTR_${name}) returns SEC_E_UNSUPPORTED_FUNCTION (0x80090302)`);
      return undefined;
    }
    throw err;
  }
}

const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

describe('context attributes (server: node.exe tls, TLS 1.2, leaf + intermediate)', () => {
  let pki, server, run, peer, cipher;
  before(async () => {
    pki = testPki();
    server = await startNodeTlsServer({});
    run = await clientHandshake({ port: server.port });
    peer = await server.connectionFrom(run);
    cipher = peer.getCipher();
  }, { timeout: NET_TIMEOUT });
  after(async () => {
    closeRun(run);
    await stopAllPeers();
  });

  it('STREAM_SIZES: a 5-byte header, 16 KiB records, a trailer, four buffers', () => {
    const sizes = queryContextAttributes(run.context, 'STREAM_SIZES');
    assert.equal(sizes.header, 5);
    assert.equal(sizes.maximumMessage, 16384);
    assert.ok(sizes.trailer > 0);
    assert.equal(sizes.buffers, 4);
    assert.ok(sizes.blockSize >= 1);
  });

  it('CONNECTION_INFO: TLSv1.2 and the cipher the server chose', () => {
    const info = queryContextAttributes(run.context, 'CONNECTION_INFO');
    assert.equal(info.protocolName, 'TLSv1.2');
    assert.equal(info.protocol, SpProt.TLS1_2_CLIENT);
    assert.equal(peer.getProtocol(), 'TLSv1.2');
    const bits = Number(/AES_(\d+)_/.exec(cipher.standardName)?.[1] ?? 256);
    assert.equal(info.cipherStrength, bits, cipher.standardName);
    if (/AES_(128|256)_/.test(cipher.standardName)) assert.equal(info.cipherName, `AES_${bits}`);
    if (cipher.standardName.startsWith('TLS_ECDHE_')) {
      assert.equal(info.exchange, AlgId.ECDH_EPHEM);
      assert.equal(info.exchangeName, 'ECDH_EPHEM');
    }
  });

  it('CIPHER_INFO: the IANA suite number and name the server chose', (t) => {
    const info = queryContextAttributes(run.context, 'CIPHER_INFO');
    assert.equal(info.protocol, 0x0303);
    assert.equal(info.protocolName, 'TLSv1.2');
    assert.ok(info.cipherLength > 0);
    if (isWine && (info.cipherSuite !== ianaSuites[cipher.standardName] || info.cipherSuiteName !== cipher.standardName)) {
      return t.skip(`Wine: CIPHER_INFO reports dwCipherSuite 0x${info.cipherSuite.toString(16)} and szCipherSuite '${info.cipherSuiteName}' for ${cipher.standardName}`);
    }
    assert.equal(info.cipherSuiteName, cipher.standardName);
    assert.equal(info.cipherSuite, ianaSuites[cipher.standardName]);
  });

  it('KEY_INFO agrees with CONNECTION_INFO', () => {
    const key = queryContextAttributes(run.context, 'KEY_INFO');
    const connection = queryContextAttributes(run.context, 'CONNECTION_INFO');
    assert.equal(key.keySize, connection.cipherStrength);
    assert.equal(key.encryptAlgorithm, connection.cipher);
    assert.ok(key.signatureAlgorithmName.length > 0);
    assert.ok(key.encryptAlgorithmName.length > 0);
  });

  it('REMOTE_CERT_CONTEXT: the DER chain the server sent, leaf first, with the intermediate', () => {
    const chain = queryContextAttributes(run.context, 'REMOTE_CERT_CONTEXT');
    assert.ok(chain.every((der) => Buffer.isBuffer(der)));
    assert.deepEqual(chain[0], pki.leaf.der);
    assert.deepEqual(chain.slice(1).map((d) => d.toString('hex')).sort(), [pki.intermediate.der.toString('hex')]);
    assert.deepEqual(peer.getCertificate().raw, pki.leaf.der, 'the server really sent this leaf');
  });

  it('ENDPOINT_BINDINGS: "tls-server-end-point:" and the SHA-256 of the leaf (RFC 5929)', () => {
    const bindings = queryContextAttributes(run.context, 'ENDPOINT_BINDINGS');
    const expected = Buffer.concat([Buffer.from('tls-server-end-point:'), sha256(pki.leaf.der)]);
    assert.deepEqual(bindings.applicationData, expected);
    // SEC_CHANNEL_BINDINGS: eight DWORDs, cbApplicationDataLength at 24, dwApplicationDataOffset at 28.
    assert.equal(bindings.raw.readUInt32LE(24), expected.length);
    assert.equal(bindings.raw.readUInt32LE(28), 32);
    assert.deepEqual(bindings.raw.subarray(32), expected);
  });

  it("UNIQUE_BINDINGS: \"tls-unique:\" and the client's Finished (RFC 5929)", () => {
    const bindings = queryContextAttributes(run.context, 'UNIQUE_BINDINGS');
    const expected = Buffer.concat([Buffer.from('tls-unique:'), peer.getPeerFinished()]);
    assert.deepEqual(bindings.applicationData, expected);
  });

  it('SESSION_INFO: a new (not resumed) session and its id', (t) => {
    const info = queryOrSkipOnWine(t, run.context, 'SESSION_INFO');
    if (!info) return;
    assert.equal(info.reconnect, false);
    assert.ok(Buffer.isBuffer(info.sessionId) && info.sessionId.length <= 32);
  });

  it('an unknown attribute name is an ERR_INVALID_ARG_VALUE', () => {
    assert.throws(() => queryContextAttributes(run.context, 'NO_SUCH_ATTRIBUTE'), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  });
});

describe('context attributes with a client certificate (server: requestCert, ca: the test root)', () => {
  let pki, server, credential, run;
  before(async () => {
    pki = testPki();
    server = await startNodeTlsServer({ requestCert: true, rejectUnauthorized: true, ca: [pki.root.certPem, pki.intermediate.certPem] });
    credential = clientCredential({ pfx: pfx(pki.client, [], 'x'), passphrase: 'x' });
    run = await clientHandshake({ port: server.port, credential });
  }, { timeout: NET_TIMEOUT });
  after(async () => {
    closeRun(run);
    credential.dispose();
    await stopAllPeers();
  });

  it('the server authorized the certificate (the precondition of the two below)', { timeout: NET_TIMEOUT }, async () => {
    const peer = await server.connectionFrom(run);
    assert.equal(peer.authorized, true, String(peer.authorizationError));
  });

  it('LOCAL_CERT_CONTEXT: the client certificate sent, leaf first', (t) => {
    const chain = queryOrSkipOnWine(t, run.context, 'LOCAL_CERT_CONTEXT');
    if (!chain) return;
    assert.deepEqual(chain[0], pki.client.der);
  });

  it("ISSUER_LIST_EX: the distinguished names of the server's CAs", (t) => {
    const issuers = queryOrSkipOnWine(t, run.context, 'ISSUER_LIST_EX');
    if (!issuers) return;
    const dn = (cert) => Buffer.from(forge.asn1.toDer(forge.pki.distinguishedNameToAsn1(cert.cert.subject)).getBytes(), 'binary').toString('hex');
    assert.deepEqual(issuers.map((b) => b.toString('hex')).sort(), [dn(pki.root), dn(pki.intermediate)].sort());
  });
});
