// Hostile and broken servers, played byte by byte by the raw peer (test/support/raw-peer.mjs) or
// by `openssl s_server` with settings no sane server uses: a connection closed or reset at every
// stage of the handshake, a cleartext fatal alert, an oversized record, a record of the wrong type,
// a server that answers at 1 byte per second, protocol versions below TLS 1.2, a 512-bit RSA key, a
// SHA-1 certificate chain. Each must end the connection with a specific, typed error within the
// configured timeout, and leave no native handle behind (debugStats() back to its start).
//
// Status codes: under Wine, Schannel is a bridge to GnuTLS that reports every handshake failure as
// SEC_E_INTERNAL_ERROR (measured; GnuTLS's own reason is printed on stderr). On Windows a received
// fatal alert and a malformed message are SEC_E_ILLEGAL_MESSAGE (0x80090326, "the message received
// was unexpected or badly formatted", which is also what curl reports for a received alert); an
// unusable record may also be SEC_E_INVALID_TOKEN. Those Windows codes come from the documentation
// and are checked by the Windows CI run, not here.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { after, afterEach, before, describe, it } from 'node:test';
import { settledStats, statsAfterClose } from '../support/handles.mjs';
import {
  AlertDescription, MAX_CIPHERTEXT, RecordType, alertRecord, clientFirstFlight, parseRecords, rawClient, record,
  serverFlight, serverHelloRecord, startRawServer,
} from '../support/raw-peer.mjs';
import { NET_TIMEOUT, isWine, opensslUnavailable, startOpenSslServer, stopAllPeers, testPki } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const schannel = require('../..');
const forge = require('node-forge');
const { pfx } = require('../support/pki.cjs');
const { SchannelError, debugStats, clearCredentialCache } = schannel;

const p = testPki();
const noOpenssl = await opensslUnavailable();
/** The idle timeout every connection here is given, as a Node application would (tls.connect has none). */
const TIMEOUT = 5000;
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a failed handshake must be: per runtime, the SchannelError codes allowed (see the header). */
const HANDSHAKE_FAILURE = isWine ? ['SEC_E_INTERNAL_ERROR'] : ['SEC_E_ILLEGAL_MESSAGE'];
const MALFORMED = isWine ? ['SEC_E_INTERNAL_ERROR'] : ['SEC_E_ILLEGAL_MESSAGE', 'SEC_E_INVALID_TOKEN'];
const OLD_PROTOCOL = isWine ? ['SEC_E_INTERNAL_ERROR'] : ['SEC_E_ILLEGAL_MESSAGE', 'SEC_E_UNSUPPORTED_FUNCTION', 'SEC_E_ALGORITHM_MISMATCH'];

/**
 * connect() to 127.0.0.1:port the way a careful Node application does: an idle `timeout` that
 * destroys the socket with an ETIMEDOUT error. Resolves once it has closed, to { error, ms, secure,
 * protocol, data, ended, timeouts }. With destroyOnSecure, a connection that should have failed but
 * got through is closed at once, so the test can report it without waiting for the timeout.
 */
function attempt(port, options = {}, { destroyOnSecure = false } = {}) {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = schannel.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: p.root.certPem, timeout: TIMEOUT, ...options });
    const outcome = { socket, error: null, secure: false, data: Buffer.alloc(0), ended: false, timeouts: 0, protocol: null };
    socket.on('timeout', () => {
      outcome.timeouts++;
      socket.destroy(Object.assign(new Error(`idle for ${options.timeout ?? TIMEOUT} ms`), { code: 'ETIMEDOUT' }));
    });
    socket.on('secureConnect', () => {
      outcome.secure = true;
      outcome.protocol = socket.getProtocol();
      if (destroyOnSecure) socket.destroy();
    });
    socket.on('data', (chunk) => { outcome.data = Buffer.concat([outcome.data, chunk]); });
    socket.on('end', () => { outcome.ended = true; });
    socket.on('error', (error) => { outcome.error = error; });
    socket.on('close', () => resolve({ ...outcome, ms: performance.now() - started }));
  });
}

/**
 * A server below TLS 1.2 is refused either by Schannel in the handshake (Windows), or, where
 * Schannel lets it through (Wine ignores SCH_CREDENTIALS' disabled protocols), by the socket's own
 * check of the negotiated protocol against minVersion.
 */
function assertOldProtocolRefused(error) {
  if (error?.code === 'ERR_SSL_UNSUPPORTED_PROTOCOL') {
    assert.ok(error instanceof SchannelError);
    assert.match(error.message, /below the minimum TLSv1\.2/);
    return;
  }
  assertSchannelError(error, OLD_PROTOCOL);
}

function assertSchannelError(error, codes, functionName = 'InitializeSecurityContextW') {
  assert.ok(error instanceof SchannelError, `a SchannelError, not ${error?.name} ${error?.code}: ${error?.message}`);
  assert.ok(codes.includes(error.code), `code ${error.code}, expected one of ${codes.join(', ')}`);
  assert.equal(error.functionName, functionName);
  assert.equal(error.statusName, error.code);
  assert.ok((error.status & 0x80000000) !== 0, 'a failure status');
}

/** Node's own error for a connection that ends before the handshake does. */
function assertDisconnected(error) {
  assert.ok(error, 'the connection failed');
  assert.equal(error.code, 'ECONNRESET', `${error.code}: ${error.message}`);
}

/** Waits for the raw peer's side to finish, then checks that nothing native is left. */
async function settled(peer, start) {
  const session = await peer.nextSession();
  await Promise.race([session.done, delay(TIMEOUT)]);
  clearCredentialCache();
  assert.deepEqual(await statsAfterClose(start), start, 'no native handle left behind once the socket\'s \'close\' work (destroy, dispose) has run');
  return session;
}

/** The first record of the server's real first flight for this ClientHello: ServerHello. */
const firstRecordOf = (flight) => flight.subarray(0, 5 + parseRecords(flight)[0].length);

let start;
const peers = [];
async function rawServer(script) {
  const peer = await startRawServer(script);
  peers.push(peer);
  return peer;
}

/** Each suite's starting point (taken in its own before hook: other files share this process). */
function snapshot() {
  before(async () => {
    clearCredentialCache();
    start = await settledStats();
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer.stop()));
  });
}
after(stopAllPeers);

// ------------------------------------------------------------------------------------------------

describe('a server that hangs up', () => {
  snapshot();
  it('closes (FIN) right after reading the ClientHello: ECONNRESET, Node\'s "disconnected before secure TLS connection"', { timeout: NET_TIMEOUT }, async () => {
    const peer = await rawServer([{ readRecord: true }, { close: true }]);
    const outcome = await attempt(peer.port);
    assertDisconnected(outcome.error);
    assert.match(outcome.error.message, /disconnected before secure TLS connection was established/);
    assert.equal(outcome.secure, false);
    assert.ok(outcome.ms < TIMEOUT, `${outcome.ms} ms`);
    const session = await settled(peer, start);
    assert.equal(parseRecords(session.received)[0].type, RecordType.HANDSHAKE, 'the peer saw a ClientHello');
  });

  it('resets (RST) right after reading the ClientHello: ECONNRESET', { timeout: NET_TIMEOUT }, async () => {
    const peer = await rawServer([{ readRecord: true }, { reset: true }]);
    const outcome = await attempt(peer.port);
    assertDisconnected(outcome.error);
    assert.ok(outcome.ms < TIMEOUT);
    await settled(peer, start);
  });

  it('closes in the middle of its ServerHello record (40 bytes of it): ECONNRESET', { timeout: NET_TIMEOUT }, async () => {
    const peer = await rawServer([{ readRecord: true }, { write: async (ctx) => (await serverFlight(ctx.last)).subarray(0, 40) }, { close: true }]);
    const outcome = await attempt(peer.port);
    assertDisconnected(outcome.error);
    assert.ok(outcome.ms < TIMEOUT);
    await settled(peer, start);
  });

  it('sends its whole first flight, reads the client\'s answer, then closes: ECONNRESET', { timeout: NET_TIMEOUT }, async () => {
    const peer = await rawServer([{ readRecord: true }, { write: (ctx) => serverFlight(ctx.last) }, { readFlight: true }, { close: true }]);
    const outcome = await attempt(peer.port);
    assertDisconnected(outcome.error);
    assert.ok(outcome.ms < TIMEOUT);
    const session = await settled(peer, start);
    // The client did answer the flight: ClientKeyExchange, ChangeCipherSpec, Finished.
    assert.deepEqual(parseRecords(session.last).map((r) => r.type), [RecordType.HANDSHAKE, RecordType.CHANGE_CIPHER_SPEC, RecordType.HANDSHAKE]);
  });

  /** A TLS step that sends 1000 bytes once secure and cuts the first data record in half, then `then`s. */
  const cutInFirstDataRecord = (then) => ({
    tls: {
      onSecure: (server) => server.write('x'.repeat(1000)),
      toClient: (chunk, records) => {
        const data = records.find((r) => r.type === RecordType.APPLICATION_DATA);
        return data ? { write: chunk.subarray(0, data.offset + 5 + (data.length >> 1)), then } : chunk;
      },
    },
  });

  it('resets in the middle of the first application-data record after the handshake: ECONNRESET, no partial data', { timeout: NET_TIMEOUT }, async () => {
    const peer = await rawServer([{ readRecord: true }, cutInFirstDataRecord('reset')]);
    const outcome = await attempt(peer.port);
    assertDisconnected(outcome.error);
    assert.equal(outcome.data.length, 0, 'nothing of the cut record is delivered');
    await settled(peer, start);
  });

  it('closes (FIN) in the middle of an application-data record after the handshake: the stream ends without the partial record, as with node:tls', { timeout: NET_TIMEOUT }, async () => {
    // node:tls in node.exe 24 was measured to do the same: 'end', no error, no data (a missing
    // close_notify is not an error in Node, and the half record is dropped).
    const peer = await rawServer([{ readRecord: true }, cutInFirstDataRecord('close')]);
    const outcome = await attempt(peer.port);
    assert.equal(outcome.secure, true);
    assert.equal(outcome.error, null, outcome.error?.message);
    assert.equal(outcome.ended, true);
    assert.equal(outcome.data.length, 0);
    await settled(peer, start);
  });
});

// ------------------------------------------------------------------------------------------------

describe('a server that sends what it must not', () => {
  snapshot();
  it(`a fatal handshake_failure alert in cleartext instead of a ServerHello: SchannelError ${HANDSHAKE_FAILURE.join('/')}`, { timeout: NET_TIMEOUT }, async () => {
    const peer = await rawServer([{ readRecord: true }, { write: alertRecord(AlertDescription.HANDSHAKE_FAILURE) }, { waitClose: true, ms: TIMEOUT }]);
    const outcome = await attempt(peer.port);
    assertSchannelError(outcome.error, HANDSHAKE_FAILURE);
    assert.ok(outcome.ms < TIMEOUT, `${outcome.ms} ms`);
    await settled(peer, start);
  });

  it('a fatal alert after a real ServerHello, in the middle of the flight: SchannelError', { timeout: NET_TIMEOUT }, async () => {
    const peer = await rawServer([
      { readRecord: true },
      { write: async (ctx) => Buffer.concat([firstRecordOf(await serverFlight(ctx.last)), alertRecord(AlertDescription.INTERNAL_ERROR)]) },
      { waitClose: true, ms: TIMEOUT },
    ]);
    const outcome = await attempt(peer.port);
    assertSchannelError(outcome.error, HANDSHAKE_FAILURE);
    await settled(peer, start);
  });

  it(`an oversized record (a payload of 2^14 + 2048 + 1 bytes, sent whole): SchannelError ${MALFORMED.join('/')}`, { timeout: NET_TIMEOUT }, async () => {
    const oversized = record(RecordType.HANDSHAKE, Buffer.alloc(MAX_CIPHERTEXT + 1, 0x01));
    const peer = await rawServer([{ readRecord: true }, { write: oversized }, { waitClose: true, ms: TIMEOUT }]);
    const outcome = await attempt(peer.port);
    assertSchannelError(outcome.error, MALFORMED);
    assert.ok(outcome.ms < TIMEOUT);
    await settled(peer, start);
  });

  it('an oversized record announced by its header alone: refused at once by the engine (SEC_E_ILLEGAL_MESSAGE), not waited for', { timeout: NET_TIMEOUT }, async () => {
    const header = record(RecordType.HANDSHAKE, Buffer.alloc(MAX_CIPHERTEXT + 1, 0x01)).subarray(0, 5 + 16);
    const peer = await rawServer([{ readRecord: true }, { write: header }, { waitClose: true, ms: TIMEOUT }]);
    const outcome = await attempt(peer.port);
    // Schannel itself only asks for the rest (SEC_E_INCOMPLETE_MESSAGE); node:tls fails at once
    // (ERR_SSL_DATA_LENGTH_TOO_LONG), and so must the engine rather than wait for the timeout.
    assert.equal(outcome.timeouts, 0, 'ended by the idle timeout instead of an error of its own');
    assert.ok(outcome.error instanceof SchannelError, `${outcome.error?.code}: ${outcome.error?.message}`);
    assert.equal(outcome.error.code, 'SEC_E_ILLEGAL_MESSAGE');
    assert.ok(outcome.ms < 2000, `${outcome.ms} ms`);
    await settled(peer, start);
  });

  it(`the ServerHello in a record of an unknown content type (0x63): SchannelError ${MALFORMED.join('/')}`, { timeout: NET_TIMEOUT }, async () => {
    const peer = await rawServer([
      { readRecord: true },
      { write: async (ctx) => { const hello = firstRecordOf(await serverFlight(ctx.last)); hello[0] = 0x63; return hello; } },
      { waitClose: true, ms: TIMEOUT },
    ]);
    const outcome = await attempt(peer.port);
    assertSchannelError(outcome.error, MALFORMED);
    await settled(peer, start);
  });

  it(`an application-data record before any handshake message: SchannelError ${MALFORMED.join('/')}`, { timeout: NET_TIMEOUT }, async () => {
    const peer = await rawServer([{ readRecord: true }, { write: record(RecordType.APPLICATION_DATA, crypto.randomBytes(64)) }, { waitClose: true, ms: TIMEOUT }]);
    const outcome = await attempt(peer.port);
    assertSchannelError(outcome.error, MALFORMED);
    await settled(peer, start);
  });
});

// ------------------------------------------------------------------------------------------------

describe('1 byte per second', () => {
  snapshot();
  const trickleServer = () => rawServer([{ readRecord: true }, { trickle: (ctx) => serverFlight(ctx.last), chunk: 1, intervalMs: 1000, ms: 60_000 }]);

  it('connect() has no handshake timeout of its own (neither has tls.connect): an idle `timeout` of 500 ms fires between two bytes and ends it', { timeout: NET_TIMEOUT }, async () => {
    const peer = await trickleServer();
    const outcome = await attempt(peer.port, { timeout: 500 });
    assert.equal(outcome.timeouts, 1);
    assert.equal(outcome.error?.code, 'ETIMEDOUT');
    assert.equal(outcome.secure, false);
    assert.ok(outcome.ms < 3000, `ended after ${outcome.ms.toFixed(0)} ms`);
    await settled(peer, start);
  });

  it('an idle timeout longer than the gap between bytes never fires; `signal: AbortSignal.timeout()` bounds the handshake: AbortError ABORT_ERR', { timeout: NET_TIMEOUT }, async () => {
    const peer = await trickleServer();
    const outcome = await attempt(peer.port, { timeout: 1500, signal: AbortSignal.timeout(3500) });
    assert.equal(outcome.timeouts, 0, 'each byte restarts the idle timer');
    assert.equal(outcome.error?.name, 'AbortError');
    assert.equal(outcome.error?.code, 'ABORT_ERR');
    assert.equal(outcome.error?.cause?.name, 'TimeoutError');
    assert.ok(outcome.ms >= 3400 && outcome.ms < 6000, `ended after ${outcome.ms.toFixed(0)} ms`);
    await settled(peer, start);
  });

  it('createServer({ handshakeTimeout: 1500 }) and a client that sends its ClientHello at 1 byte per second: tlsClientError ERR_TLS_HANDSHAKE_TIMEOUT', { timeout: NET_TIMEOUT }, async () => {
    const server = schannel.createServer({ pfx: pfx(p.leaf, [p.intermediate]), passphrase: 'test', handshakeTimeout: 1500 });
    server.on('secureConnection', () => assert.fail('no client should get through'));
    const errors = [];
    server.on('tlsClientError', (error) => errors.push({ error, at: performance.now() }));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const began = performance.now();
      const hello = await clientFirstFlight();
      const client = await rawClient(server.address().port, [{ trickle: hello, chunk: 1, intervalMs: 1000, ms: 30_000 }]);
      await client.closed;
      const closedAfter = performance.now() - began;
      await client.done;
      assert.equal(errors.length, 1);
      assert.equal(errors[0].error.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
      assert.ok(errors[0].at - began >= 1400 && errors[0].at - began < 4000, `timed out after ${(errors[0].at - began).toFixed(0)} ms`);
      assert.ok(closedAfter < 5000, `the server closed the connection after ${closedAfter.toFixed(0)} ms`);
      assert.ok(client.received.length === 0 || parseRecords(client.received).every((r) => r.type === RecordType.ALERT), 'nothing but an alert came back');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    clearCredentialCache();
    assert.deepEqual(await statsAfterClose(start), start);
  });
});

// ------------------------------------------------------------------------------------------------

describe('protocol versions below TLS 1.2', () => {
  snapshot();
  it(`an SSL 3.0 ServerHello (raw peer; this OpenSSL has no SSLv3): SchannelError ${OLD_PROTOCOL.join('/')}`, { timeout: NET_TIMEOUT }, async () => {
    const peer = await rawServer([{ readRecord: true }, { write: serverHelloRecord(0x0300) }, { waitClose: true, ms: TIMEOUT }]);
    const outcome = await attempt(peer.port);
    assertSchannelError(outcome.error, OLD_PROTOCOL);
    assert.ok(outcome.ms < TIMEOUT);
    await settled(peer, start);
  });

  // OpenSSL 3 refuses TLS 1.0 at its default security level; level 0 lets s_server offer it.
  const tls10 = ['-www', '-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0'];

  it('a TLS 1.0-only server (openssl s_server -tls1), connect() with its defaults: a typed error, since the client needs TLS 1.2 or later', {
    timeout: NET_TIMEOUT,
    skip: noOpenssl ?? false,
  }, async () => {
    const server = await startOpenSslServer({ cert: p.leaf.certPem, key: p.leaf.keyPem, chain: [p.intermediate.certPem], args: tls10 });
    try {
      const outcome = await attempt(server.port, {}, { destroyOnSecure: true });
      assert.equal(outcome.secure, false, `negotiated ${outcome.protocol}`);
      assertOldProtocolRefused(outcome.error);
    } finally {
      await server.stop();
    }
    clearCredentialCache();
    assert.deepEqual(await statsAfterClose(start), start);
  });

  it('a TLS 1.0-only server, connect({ minVersion: \'TLSv1.2\' }): a typed error', {
    timeout: NET_TIMEOUT,
    skip: noOpenssl ?? false,
  }, async () => {
    const server = await startOpenSslServer({ cert: p.leaf.certPem, key: p.leaf.keyPem, chain: [p.intermediate.certPem], args: tls10 });
    try {
      const outcome = await attempt(server.port, { minVersion: 'TLSv1.2' }, { destroyOnSecure: true });
      assert.equal(outcome.secure, false, `negotiated ${outcome.protocol}`);
      assertOldProtocolRefused(outcome.error);
    } finally {
      await server.stop();
    }
    clearCredentialCache();
    assert.deepEqual(await statsAfterClose(start), start);
  });

  it('the same through acquireCredentialsHandle({ credentialFormat: \'SCHANNEL_CRED\', minVersion: \'TLSv1.2\' }) and the engine: refused with a typed error', { timeout: NET_TIMEOUT, skip: noOpenssl ?? false }, async () => {
    const server = await startOpenSslServer({ cert: p.leaf.certPem, key: p.leaf.keyPem, chain: [p.intermediate.certPem], args: tls10 });
    const credential = schannel.acquireCredentialsHandle({ flags: ['MANUAL_CRED_VALIDATION', 'NO_DEFAULT_CREDS'], credentialFormat: 'SCHANNEL_CRED', minVersion: 'TLSv1.2' });
    try {
      // connect() cannot be given a credential; the engine is driven over a socket with this one.
      const socket = net.connect(server.port, '127.0.0.1');
      await once(socket, 'connect');
      const engine = new schannel.TlsEngine({ role: 'client', credential, targetName: 'localhost' });
      const transport = {
        send: (data) => new Promise((resolve) => socket.write(data, resolve)),
        receive: () => new Promise((resolve) => {
          const onData = (chunk) => { cleanup(); resolve(chunk); };
          const onEnd = () => { cleanup(); resolve(null); };
          const cleanup = () => { socket.off('data', onData); socket.off('end', onEnd); socket.off('close', onEnd); };
          socket.on('data', onData);
          socket.once('end', onEnd);
          socket.once('close', onEnd);
        }),
      };
      await assert.rejects(schannel.runHandshake(engine, transport), (error) => {
        assertSchannelError(error, OLD_PROTOCOL);
        return true;
      });
      engine.destroy();
      socket.destroy();
    } finally {
      credential.dispose();
      await server.stop();
    }
    clearCredentialCache();
    assert.deepEqual(await statsAfterClose(start), start);
  });
});

// ------------------------------------------------------------------------------------------------

/** A certificate made here (pki.cjs signs with SHA-256 and 2048-bit keys only). */
function weakCertificate({ cn, issuer, ca = false, bits = 2048, md = 'sha256' }) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' });
  const key = forge.pki.privateKeyFromPem(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = `01${crypto.randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 2 * 86_400_000);
  const subject = [{ name: 'commonName', value: cn }, { name: 'organizationName', value: 'schannel hostile peers' }];
  cert.setSubject(subject);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : subject);
  const extensions = [{ name: 'basicConstraints', cA: ca, critical: true }, { name: 'subjectKeyIdentifier' }];
  if (ca) extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true });
  else {
    extensions.push(
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    );
  }
  if (issuer) extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: issuer.cert.generateSubjectKeyIdentifier().getBytes() });
  cert.setExtensions(extensions);
  cert.sign(issuer ? issuer.key : key, forge.md[md].create());
  return { cert, key, keyPem, certPem: forge.pki.certificateToPem(cert) };
}

describe('weak server keys and signatures', () => {
  snapshot();
  // s_server needs security level 0 to load a 512-bit key and to sign with it.
  const weakArgs = ['-www', '-tls1_2', '-cipher', 'DEFAULT:@SECLEVEL=0'];

  /**
   * A connection to openssl s_server presenting `leaf` (at security level 0, so it may load weak
   * keys), destroyed once secure; the server is stopped and the live-handle counters checked back
   * at their start before the outcome is returned.
   */
  async function attemptWeakServer(leaf, clientOptions) {
    const server = await startOpenSslServer({ cert: leaf.certPem, key: leaf.keyPem, args: weakArgs });
    let outcome;
    try {
      outcome = await attempt(server.port, clientOptions, { destroyOnSecure: true });
    } finally {
      await server.stop();
    }
    clearCredentialCache();
    assert.deepEqual(await statsAfterClose(start), start);
    return outcome;
  }

  it('a server with a 512-bit RSA key: a typed verification error (CERT_SIGNATURE_FAILURE or EE_KEY_TOO_SMALL)', { timeout: NET_TIMEOUT, skip: noOpenssl ?? false }, async () => {
    const root = weakCertificate({ cn: 'hostile root', ca: true });
    const leaf = weakCertificate({ cn: 'localhost', issuer: root, bits: 512 });
    const outcome = await attemptWeakServer(leaf, { ca: root.certPem });
    assert.equal(outcome.secure, false, `connected (${outcome.protocol}) to a 512-bit key`);
    assert.ok(['CERT_SIGNATURE_FAILURE', 'EE_KEY_TOO_SMALL'].includes(outcome.error?.code), `${outcome.error?.code}: ${outcome.error?.message}`);
    assert.ok(outcome.error instanceof SchannelError);
  });

  it('a server whose chain is signed with SHA-1: a typed verification error (CERT_SIGNATURE_FAILURE or CA_MD_TOO_WEAK)', { timeout: NET_TIMEOUT, skip: noOpenssl ?? false }, async () => {
    const root = weakCertificate({ cn: 'sha1 root', ca: true, md: 'sha1' });
    const leaf = weakCertificate({ cn: 'localhost', issuer: root, md: 'sha1' });
    const outcome = await attemptWeakServer(leaf, { ca: root.certPem });
    assert.equal(outcome.secure, false, `connected (${outcome.protocol}) to a SHA-1 chain`);
    assert.ok(['CERT_SIGNATURE_FAILURE', 'CA_MD_TOO_WEAK'].includes(outcome.error?.code), `${outcome.error?.code}: ${outcome.error?.message}`);
    assert.ok(outcome.error instanceof SchannelError);
  });

  for (const [label, lowered] of [['securityLevel: 0', { securityLevel: 0 }], ['ciphers: \'DEFAULT@SECLEVEL=0\' (node:tls\'s way)', { ciphers: 'DEFAULT@SECLEVEL=0' }]]) it(`${label}: a 512-bit, SHA-1-signed server under a caller root is authorized`, { timeout: NET_TIMEOUT, skip: noOpenssl ?? false }, async () => {
    const root = weakCertificate({ cn: 'weak root', ca: true, md: 'sha1' });
    const leaf = weakCertificate({ cn: 'localhost', issuer: root, bits: 512, md: 'sha1' });
    const outcome = await attemptWeakServer(leaf, { ca: root.certPem, ...lowered });
    if (isWine) {
      // Wine's crypt32 accepts the chain itself, so with the level at 0 nothing refuses it.
      assert.equal(outcome.error, null, outcome.error?.message);
      assert.equal(outcome.socket.authorized, true);
    } else {
      // Windows' crypt32 may refuse a 512-bit key or SHA-1 itself: then it is its own code, not ours.
      assert.ok(!['EE_KEY_TOO_SMALL', 'CA_KEY_TOO_SMALL', 'CA_MD_TOO_WEAK'].includes(outcome.error?.code), outcome.error?.code);
    }
  });

  it('a 512-bit, SHA-1-signed server with rejectUnauthorized: false: the handshake itself works, and nothing is left behind', { timeout: NET_TIMEOUT, skip: noOpenssl ?? false }, async () => {
    const root = weakCertificate({ cn: 'weak root', ca: true, md: 'sha1' });
    const leaf = weakCertificate({ cn: 'localhost', issuer: root, bits: 512, md: 'sha1' });
    const outcome = await attemptWeakServer(leaf, { ca: root.certPem, rejectUnauthorized: false });
    // The caller asked to go on: the handshake itself must work, with the verdict kept, as node:tls
    // keeps it (authorized false, authorizationError set).
    assert.equal(outcome.error, null, outcome.error?.message);
    assert.equal(outcome.secure, true);
    assert.equal(outcome.socket.authorized, false);
    assert.equal(typeof outcome.socket.authorizationError, 'string');
  });
});
