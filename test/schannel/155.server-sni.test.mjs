// createServer with several certificates: server.addContext(), SNICallback and createSecureContext(),
// node:tls's way of serving several host names from one listener. Schannel takes the credential at
// the first AcceptSecurityContext call, so the server reads the ClientHello itself, picks the
// certificate for the name in it and hands the bytes back to Schannel. The clients connect to
// 127.0.0.1 and send made-up names under example.test; each checks which certificate it got.
//
// Every identity here is a PFX or PEM key + cert, none from a Windows store: under Wine, several
// store certificates imported into one store share a key container and break each other's keys.
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { closeSchannelServers, exchange, startSchannelServer } from '../support/schannel-servers.mjs';
import { captureClientHello, NET_TIMEOUT, testPki } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const schannel = require('../..');
const { issue, pfx } = require('../support/pki.cjs');

const PASSPHRASE = 'sni test';
const p = testPki();
/** What a client trusts: root and intermediate, because Wine's server sends the leaf alone. */
const ca = [p.root.certPem, p.intermediate.certPem];
const fingerprint = (cert) => new X509Certificate(cert.der).fingerprint256;

// Three more certificates, for names other than the default one's (localhost, 127.0.0.1).
let certA;
let certB;
let certWild;
function makeCertificates() {
  certA ??= issue({ cn: 'a.example.test', issuer: p.intermediate, dns: ['a.example.test'] });
  certB ??= issue({ cn: 'b.example.test', issuer: p.intermediate, dns: ['b.example.test'] });
  certWild ??= issue({ cn: '*.wild.example.test', issuer: p.intermediate, dns: ['*.wild.example.test'] });
}
const pem = (cert) => ({ key: cert.keyPem, cert: cert.certPem });
const pfxOf = (cert) => ({ pfx: pfx(cert, [], PASSPHRASE), passphrase: PASSPHRASE });

// ------------------------------------------------------------------------------------------------
// helpers

/** schannel.createServer on 127.0.0.1:0 with the default certificate (localhost), echoing. */
function startServer(options = {}, onSecure) {
  return startSchannelServer({ pfx: pfx(p.leaf, [p.intermediate], PASSPHRASE), passphrase: PASSPHRASE, ...options }, onSecure);
}

const closeAll = closeSchannelServers;

/** node.exe's tls.connect to `port` asking for `servername`; resolves with the secure socket. */
function nodeClient(port, servername, options = {}) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', servername, ca, ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The fingerprint of the certificate a node:tls client got for `servername` (validation off). */
async function servedFor(port, servername) {
  const client = await nodeClient(port, servername, { rejectUnauthorized: false });
  try {
    return client.getPeerCertificate().fingerprint256;
  } finally {
    client.destroy();
  }
}


/** The next 'tlsClientError' of `server` (or one it already had). */
async function nextClientError(server) {
  if (server.clientErrors.length > 0) return server.clientErrors.shift();
  await once(server, 'tlsClientError');
  return server.clientErrors.shift();
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A TCP proxy to `port` that passes the client's first `slowBytes` bytes on one byte per write
 * (each after a turn of the event loop, Nagle off), then everything as it comes.
 */
async function byteByByteProxy(port, slowBytes = 4096) {
  // Half-open both ways: the client's FIN must not end the replies still coming from the server.
  const proxy = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    upstream.setNoDelay(true);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.pipe(client);
    let sent = 0;
    let queue = Promise.resolve();
    client.on('data', (chunk) => {
      client.pause();
      queue = queue.then(async () => {
        for (const byte of chunk) {
          if (upstream.destroyed) return;
          upstream.write(Buffer.from([byte]));
          proxy.writes++;
          if (++sent < slowBytes) await new Promise((resolve) => setImmediate(resolve));
        }
        client.resume();
      });
    });
    client.on('end', () => queue.then(() => upstream.end()));
  });
  proxy.writes = 0;
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return proxy;
}

/** A raw TCP client that writes `bytes`, then waits for the server to hang up. */
function rawClient(port, bytes) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const received = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(received)));
  });
}

// ------------------------------------------------------------------------------------------------

describe('server.addContext: a certificate per host name', () => {
  let server;
  before(async () => {
    makeCertificates();
    server = await startServer();
    server.addContext('a.example.test', schannel.createSecureContext(pem(certA)));
    server.addContext('b.example.test', pfxOf(certB)); // identity options, made into a context here
    server.addContext('*.wild.example.test', schannel.createSecureContext(pem(certWild)));
  }, { timeout: 120_000 });
  after(closeAll);

  it('each name gets its certificate, validated by the client; data flows', { timeout: NET_TIMEOUT }, async () => {
    for (const [name, cert] of [['a.example.test', certA], ['b.example.test', certB], ['x.wild.example.test', certWild], ['localhost', p.leaf]]) {
      const secured = once(server, 'secureConnection');
      const client = await nodeClient(server.address().port, name);
      const [peer] = await secured;
      assert.equal(client.authorized, true, `${name}: ${client.authorizationError}`);
      assert.equal(client.getPeerCertificate().fingerprint256, fingerprint(cert), `${name}: the certificate for ${name}`);
      assert.equal(peer.servername, name, 'the server-side socket has the name the client asked for');
      const message = `hello ${name} ${randomBytes(4).toString('hex')}`;
      assert.equal((await exchange(client, message)).toString(), message);
    }
    assert.deepEqual(server.clientErrors, []);
  });

  it('names are matched whatever their case (DNS names are case-insensitive; node:tls is not); a wildcard covers one label only, as in node:tls', { timeout: NET_TIMEOUT }, async () => {
    const port = server.address().port;
    assert.equal(await servedFor(port, 'A.Example.TEST'), fingerprint(certA));
    assert.equal(await servedFor(port, 'Deep.WILD.example.test'), fingerprint(certWild));
    assert.equal(await servedFor(port, 'two.labels.wild.example.test'), fingerprint(p.leaf), 'not the wildcard: the default');
    assert.equal(await servedFor(port, 'wild.example.test'), fingerprint(p.leaf), 'the wildcard needs a label before it');
    assert.equal(await servedFor(port, 'c.example.test'), fingerprint(p.leaf), 'no match: the default certificate');
    assert.equal(await servedFor(port, 'a.example.test.evil.test'), fingerprint(p.leaf), 'the whole name must match');
  });

  it('without SNI (a client connecting by IP address) the default certificate', { timeout: NET_TIMEOUT }, async () => {
    const secured = once(server, 'secureConnection');
    const client = await nodeClient(server.address().port, undefined);
    const [peer] = await secured;
    assert.equal(client.authorized, true, client.authorizationError);
    assert.equal(client.getPeerCertificate().fingerprint256, fingerprint(p.leaf));
    assert.ok(!peer.servername, `no name asked for (${peer.servername})`);
    client.destroy();
  });

  it('the Schannel client (connect) with a servername gets the right certificate too', { timeout: NET_TIMEOUT }, async () => {
    for (const [name, cert] of [['b.example.test', certB], ['z.wild.example.test', certWild]]) {
      const client = await new Promise((resolve, reject) => {
        const socket = schannel.connect({ port: server.address().port, host: '127.0.0.1', servername: name, ca }, () => resolve(socket));
        socket.once('error', reject);
      });
      assert.equal(client.authorized, true, `${name}: ${client.authorizationError}`);
      assert.equal(client.getPeerX509Certificate().fingerprint256, fingerprint(cert), name);
      assert.equal((await exchange(client, `schannel ${name}`)).toString(), `schannel ${name}`);
    }
  });

  it('a ClientHello arriving one byte per TCP write is still read whole', { timeout: NET_TIMEOUT }, async () => {
    const proxy = await byteByByteProxy(server.address().port);
    try {
      const client = await nodeClient(proxy.address().port, 'a.example.test');
      assert.equal(client.authorized, true, client.authorizationError);
      assert.equal(client.getPeerCertificate().fingerprint256, fingerprint(certA));
      assert.ok(proxy.writes > 100, `the hello went in ${proxy.writes} writes`);
      assert.equal((await exchange(client, 'slowly')).toString(), 'slowly');
    } finally {
      proxy.close();
    }
  });

  it('createServer({ secureContext }): the context\'s certificate is the default one, and the options\' own is ignored (as node:tls)', { timeout: NET_TIMEOUT }, async () => {
    makeCertificates();
    const server = await startServer({ secureContext: schannel.createSecureContext(pem(certA)) });
    const { port } = server.address();
    assert.equal(await servedFor(port, 'localhost'), fingerprint(certA));
    const client = await nodeClient(port, 'a.example.test');
    assert.equal((await exchange(client, 'through the context\'s certificate')).toString(), 'through the context\'s certificate');
    client.destroy();
  });

  it('one context made for a client (roots only) cannot serve: ERR_INVALID_ARG_VALUE from createServer and addContext', () => {
    const rootsOnly = schannel.createSecureContext({ ca });
    assert.throws(() => schannel.createServer({ secureContext: rootsOnly }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    const server = schannel.createServer(pfxOf(p.leaf));
    try {
      assert.throws(() => server.addContext('a.example.test', rootsOnly), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    } finally {
      server.close(() => {}); // never listened: releases its credential now, not at garbage collection
    }
  });

  it('the last added context for a name wins; setSecureContext() changes only the default', { timeout: NET_TIMEOUT }, async () => {
    const other = await startServer();
    other.addContext('*.example.test', pem(certB));
    other.addContext('a.example.test', pem(certA));
    other.addContext('b.example.test', pem(certA)); // added later than the wildcard: wins for b
    const port = other.address().port;
    assert.equal(await servedFor(port, 'a.example.test'), fingerprint(certA));
    assert.equal(await servedFor(port, 'b.example.test'), fingerprint(certA));
    assert.equal(await servedFor(port, 'q.example.test'), fingerprint(certB));
    other.setSecureContext(pfxOf(certWild));
    assert.equal(await servedFor(port, 'localhost'), fingerprint(certWild), 'the new default');
    assert.equal(await servedFor(port, 'a.example.test'), fingerprint(certA), 'the contexts stay');
  });
});

describe('SNICallback', () => {
  before(makeCertificates, { timeout: 120_000 });
  after(closeAll);

  it('chooses asynchronously: a context, identity options, or null for the default; not called without a name', { timeout: NET_TIMEOUT }, async () => {
    const contextA = schannel.createSecureContext(pem(certA));
    const asked = [];
    const server = await startServer({
      SNICallback(servername, callback) {
        asked.push(servername);
        const choice = { 'a.example.test': contextA, 'b.example.test': pfxOf(certB) }[servername] ?? null;
        setTimeout(() => callback(null, choice), 30);
      },
    });
    server.addContext('a.example.test', pem(certB)); // ignored: a SNICallback of one's own replaces the contexts, as in node:tls
    const port = server.address().port;
    for (const [name, cert] of [['a.example.test', certA], ['b.example.test', certB], ['localhost', p.leaf]]) {
      const client = await nodeClient(port, name);
      assert.equal(client.authorized, true, `${name}: ${client.authorizationError}`);
      assert.equal(client.getPeerCertificate().fingerprint256, fingerprint(cert), name);
      assert.equal((await exchange(client, name)).toString(), name);
    }
    const noName = await nodeClient(port, undefined);
    assert.equal(noName.getPeerCertificate().fingerprint256, fingerprint(p.leaf));
    noName.destroy();
    assert.deepEqual(asked, ['a.example.test', 'b.example.test', 'localhost']);
  });

  it('gets the name as the client sent it, case included, and so does the server socket\'s servername (as node:tls)', { timeout: NET_TIMEOUT }, async () => {
    const asked = [];
    const seen = [];
    const started = await Promise.all([schannel, tls].map(async (stack) => {
      const options = { key: p.leaf.keyPem, cert: p.leaf.certPem + p.intermediate.certPem, SNICallback(servername, callback) { asked.push([stack === tls ? 'node:tls' : 'schannel', servername]); callback(null, null); } };
      const server = stack.createServer(options, (socket) => { seen.push([stack === tls ? 'node:tls' : 'schannel', socket.servername]); socket.end(); });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }));
    try {
      for (const server of started) {
        const client = await nodeClient(server.address().port, 'Mixed.Example.TEST', { rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
        await once(client.resume(), 'close');
      }
      assert.deepEqual(asked, [['schannel', 'Mixed.Example.TEST'], ['node:tls', 'Mixed.Example.TEST']]);
      assert.deepEqual(seen, [['schannel', 'Mixed.Example.TEST'], ['node:tls', 'Mixed.Example.TEST']]);
    } finally {
      await Promise.all(started.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });

  it('an error fails that connection as a tlsClientError with the error itself; the server goes on', { timeout: NET_TIMEOUT }, async () => {
    const refusal = new Error('no certificate for this name');
    const server = await startServer({
      SNICallback: (servername, callback) => (servername === 'refused.example.test' ? setImmediate(() => callback(refusal)) : callback(null, null)),
    });
    const port = server.address().port;
    await assert.rejects(nodeClient(port, 'refused.example.test'), (error) => typeof error.code === 'string');
    const { error, socket } = await nextClientError(server);
    assert.equal(error, refusal);
    assert.ok(socket instanceof schannel.SchannelSocket, 'the socket comes with the error');
    const good = await nodeClient(port, 'localhost');
    assert.equal((await exchange(good, 'still serving')).toString(), 'still serving');
  });

  it('a callback that is never called ends in ERR_TLS_HANDSHAKE_TIMEOUT', { timeout: NET_TIMEOUT }, async () => {
    const server = await startServer({ handshakeTimeout: 400, SNICallback: () => {} });
    const started = Date.now();
    await assert.rejects(nodeClient(server.address().port, 'a.example.test'), (error) => error.code === 'ECONNRESET');
    const { error, socket } = await nextClientError(server);
    assert.equal(error.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
    assert.ok(socket instanceof schannel.SchannelSocket);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 350, `not before the timeout (${elapsed} ms)`);
  });

  it('a throw, a second call, or a context of the wrong kind fails only that connection, with a typed error', { timeout: NET_TIMEOUT }, async () => {
    const thrown = new Error('thrown by the SNICallback');
    const server = await startServer({
      SNICallback(servername, callback) {
        if (servername === 'throws.example.test') throw thrown;
        else if (servername === 'twice.example.test') {
          callback(null, null);
          callback(null, null);
        } else if (servername === 'number.example.test') callback(null, 5);
        else if (servername === 'node-context.example.test') callback(null, tls.createSecureContext(pem(certA)));
        else if (servername === 'no-certificate.example.test') callback(null, {});
        else callback(null, null);
      },
    });
    const port = server.address().port;
    const cases = [
      ['throws.example.test', (e) => e === thrown],
      ['twice.example.test', (e) => e.code === 'ERR_MULTIPLE_CALLBACK'],
      ['number.example.test', (e) => e.code === 'ERR_INVALID_ARG_TYPE'],
      ['node-context.example.test', (e) => e.code === 'ERR_INVALID_ARG_TYPE' && /SchannelSecureContext/.test(e.message)],
      ['no-certificate.example.test', (e) => e.code === 'ERR_INVALID_ARG_TYPE'],
    ];
    for (const [name, expected] of cases) {
      const outcome = await nodeClient(port, name).then((s) => { s.destroy(); return 'connected'; }, (e) => e.code);
      const { error } = await nextClientError(server);
      assert.ok(expected(error), `${name}: got ${error?.code} ${error?.message}`);
      // The second call comes after the first one's handshake began: the client may see either.
      if (name !== 'twice.example.test') assert.notEqual(outcome, 'connected', name);
    }
    const good = await nodeClient(port, 'localhost');
    assert.equal((await exchange(good, 'fine')).toString(), 'fine');
  });
});

describe('SNI on hostile input', () => {
  let server;
  before(async () => {
    makeCertificates();
    server = await startServer({ handshakeTimeout: 1500 }); // Wine's Schannel waits out most garbage (as without SNI)
    server.addContext('a.example.test', pem(certA));
  }, { timeout: 120_000 });
  after(closeAll);

  it('a first record that is not a ClientHello still ends in a typed tlsClientError', { timeout: NET_TIMEOUT }, async () => {
    const hello = await captureClientHello({ servername: 'a.example.test', maxVersion: undefined });
    const garbage = [
      ['random bytes', randomBytes(300)],
      ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: a.example.test\r\n\r\n')],
      ['a handshake record of random bytes', Buffer.concat([Buffer.from([0x16, 3, 1, 0, 200]), randomBytes(200)])],
      ['a ClientHello whose extension lengths overrun', (() => { const b = Buffer.from(hello); b.writeUInt16BE(0xffff, b.length - 60); return b; })()],
      ['an SSLv2-style hello', Buffer.from([0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10, ...randomBytes(37)])],
    ];
    for (const [label, bytes] of garbage) {
      await rawClient(server.address().port, bytes);
      const { error, socket } = await nextClientError(server);
      assert.ok(error instanceof Error, `${label}: ${error}`);
      assert.equal(typeof error.code, 'string', `${label}: a code (${error.message})`);
      assert.ok(socket instanceof schannel.SchannelSocket, label);
    }
    const client = await nodeClient(server.address().port, 'a.example.test');
    assert.equal(client.getPeerCertificate().fingerprint256, fingerprint(certA), 'still serving');
    client.destroy();
  });

  it('a client that hangs up in the middle of its ClientHello: ECONNRESET; one that stalls: the handshake timeout', { timeout: NET_TIMEOUT }, async () => {
    const hello = await captureClientHello({ servername: 'a.example.test', maxVersion: undefined });
    const quitter = net.connect(server.address().port, '127.0.0.1', () => quitter.end(hello.subarray(0, 40)));
    quitter.on('error', () => {});
    let { error } = await nextClientError(server);
    assert.equal(error.code, 'ECONNRESET');

    const staller = net.connect(server.address().port, '127.0.0.1', () => staller.write(hello.subarray(0, hello.length - 1)));
    staller.on('error', () => {});
    ({ error } = await nextClientError(server));
    assert.equal(error.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
    staller.destroy();
    await delay(10);
  });
});
