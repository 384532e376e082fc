// createServer(): the Schannel server role (AcceptSecurityContext) behind tls.createServer's surface,
// against three independent clients: the host's `openssl s_client`, node.exe's own tls (OpenSSL in
// this process) and our own connect(). The server's PFX holds the leaf and its intermediate.
//
// Wine's Schannel server sends only the leaf certificate, where Windows sends the chain it builds
// from the PFX's store: the clients here trust root + intermediate, and the one test of the chain
// itself is written to Windows' behaviour and skips under Wine with what it saw.
import assert from 'node:assert/strict';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { closeSchannelServer, closeSchannelServers, exchange, listen, startSchannelServer, trackServer, untrackServer } from '../support/schannel-servers.mjs';
import { captureClientHello, isWine, NET_TIMEOUT, opensslUnavailable, startOpenSslClient, stopAllPeers, testPki, writePem } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const schannel = require('../..');
const { issue, pfx } = require('../support/pki.cjs');

const PASSPHRASE = 'server test';
const p = testPki();
const serverPfx = pfx(p.leaf, [p.intermediate], PASSPHRASE);
/** What a client trusts: root and intermediate, because Wine's server sends the leaf alone. */
const ca = [p.root.certPem, p.intermediate.certPem];
const fingerprint = (cert) => new X509Certificate(cert.der).fingerprint256;

// ------------------------------------------------------------------------------------------------
// helpers

/** schannel.createServer with the test PKI's leaf (localhost) on 127.0.0.1:0, echoing by default. */
function startServer(options = {}, onSecure) {
  return startSchannelServer({ pfx: serverPfx, passphrase: PASSPHRASE, ...options }, onSecure);
}

const closeServer = closeSchannelServer;

async function closeAll() {
  await closeSchannelServers();
  await stopAllPeers();
}

/** node.exe's tls.connect to `port`; resolves with the secure socket (rejects with its error). */
function nodeClient(port, options = {}) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca, ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** schannel.connect to `port`; resolves with the secure socket. */
function schannelClient(port, options = {}) {
  return new Promise((resolve, reject) => {
    const socket = schannel.connect({ port, host: '127.0.0.1', servername: 'localhost', ca, ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}


/** Writes `data` and resolves once as many bytes came back (the connection stays open). */
function roundTrip(socket, data) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let length = 0;
    const onData = (chunk) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= data.length) {
        socket.removeListener('data', onData);
        socket.removeListener('error', reject);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(data);
  });
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

// ------------------------------------------------------------------------------------------------

describe('createServer with node.exe tls clients', () => {
  let server;
  before(async () => { server = await startServer(); }, { timeout: NET_TIMEOUT });
  after(closeAll);

  it('completes a TLS 1.2 handshake the client validates; the server socket is a TLSSocket look-alike', { timeout: NET_TIMEOUT }, async () => {
    const secured = once(server, 'secureConnection');
    const client = await nodeClient(server.address().port);
    try {
      const [peer] = await secured;
      assert.equal(client.authorized, true, client.authorizationError);
      assert.equal(client.getProtocol(), 'TLSv1.2');
      assert.equal(client.getPeerCertificate().subject.CN, 'localhost');
      assert.equal(client.getPeerCertificate().fingerprint256, fingerprint(p.leaf));
      assert.ok(peer instanceof schannel.SchannelSocket);
      assert.equal(peer.encrypted, true);
      assert.equal(peer.getProtocol(), 'TLSv1.2');
      assert.equal(peer.alpnProtocol, false, 'no ALPN asked, none chosen');
      assert.equal(peer.authorized, false, 'as node:tls: a server without requestCert authorizes nobody');
      assert.equal(peer.authorizationError, null);
      assert.deepEqual(peer.getPeerCertificate(), {}, 'no client certificate');
      assert.equal(peer.remoteAddress, '127.0.0.1');
      assert.equal(peer.remotePort, client.localPort);
      assert.equal(peer.localPort, server.address().port);
      // The suite the client saw, by both names (under Wine, read from the ServerHello sent).
      assert.deepEqual({ ...peer.getCipher(), version: undefined }, { ...client.getCipher(), version: undefined });
      assert.equal((await exchange(client, 'ping')).toString(), 'ping');
    } finally {
      client.destroy();
    }
  });

  it('sends the intermediate from the PFX, so a client that trusts only the root validates', { timeout: NET_TIMEOUT }, async (t) => {
    const client = await nodeClient(server.address().port, { ca: [p.root.certPem], rejectUnauthorized: false });
    try {
      const sent = [];
      for (let c = client.getPeerCertificate(true); c && c.raw && !sent.some((s) => s.equals(c.raw)); c = c.issuerCertificate) sent.push(c.raw);
      if (isWine && client.authorizationError === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
        return t.skip(`Wine: its Schannel server sent ${sent.length} certificate(s), the leaf alone, not the chain Windows builds from the PFX (client: UNABLE_TO_VERIFY_LEAF_SIGNATURE)`);
      }
      assert.equal(client.authorized, true, client.authorizationError);
      assert.ok(sent.some((der) => der.equals(p.intermediate.der)), 'the intermediate came with the leaf');
    } finally {
      client.destroy();
    }
  });

  it('echoes 4 MiB unchanged (SHA-256 on both ends)', { timeout: 60_000 }, async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const client = await nodeClient(server.address().port);
    const echoed = await exchange(client, data);
    assert.equal(echoed.length, data.length);
    assert.equal(sha256(echoed), sha256(data));
  });

  it('a slow reader still gets every byte a client sent before it closed (as node:tls)', { timeout: NET_TIMEOUT }, async () => {
    const size = 300_000;
    const received = new Promise((resolve) => {
      server.once('secureConnection', (peer) => {
        peer.unpipe(peer); // this one reads slowly instead of echoing (unpipe leaves it paused)
        let length = 0;
        peer.on('data', (chunk) => {
          length += chunk.length;
          peer.pause();
          setTimeout(() => peer.resume(), 20);
        });
        peer.resume();
        peer.on('close', () => resolve({ length, buffered: peer.readableLength, ended: peer.readableEnded }));
      });
    });
    const client = await nodeClient(server.address().port);
    client.on('error', () => {});
    client.end(Buffer.alloc(size, 0x5a));
    const outcome = await received;
    assert.deepEqual(outcome, { length: size, buffered: 0, ended: true }, `the server read ${outcome.length} of ${size} bytes; ${outcome.buffered} were still buffered when its socket closed`);
  });

  it('serves several clients at once, each its own echo', { timeout: NET_TIMEOUT }, async () => {
    const results = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const client = await nodeClient(server.address().port);
      const message = `client ${i} ${randomBytes(8).toString('hex')}`;
      return [message, (await exchange(client, message)).toString()];
    }));
    for (const [sent, echoed] of results) assert.equal(echoed, sent);
  });

  it('a client that offers TLS 1.3 and 1.2 gets TLS 1.2 or better, and data flows', { timeout: NET_TIMEOUT }, async () => {
    const client = await nodeClient(server.address().port, { maxVersion: 'TLSv1.3' });
    try {
      assert.ok(['TLSv1.2', 'TLSv1.3'].includes(client.getProtocol()), client.getProtocol());
      assert.equal((await roundTrip(client, Buffer.from('v'))).toString(), 'v');
    } finally {
      client.destroy();
    }
  });
});

describe('createServer with the Schannel client (connect) in the same process', () => {
  let server;
  before(async () => { server = await startServer({ ALPNProtocols: ['h2', 'http/1.1'] }); }, { timeout: NET_TIMEOUT });
  after(closeAll);

  it('Schannel on both ends: handshake, validation, ALPN, close_notify', { timeout: NET_TIMEOUT }, async () => {
    const secured = once(server, 'secureConnection');
    const client = await schannelClient(server.address().port, { ALPNProtocols: ['http/1.1', 'h2'] });
    const [peer] = await secured;
    assert.equal(client.authorized, true, client.authorizationError);
    assert.equal(client.getProtocol(), 'TLSv1.2');
    assert.equal(client.alpnProtocol, 'h2');
    assert.equal(peer.alpnProtocol, 'h2');
    assert.equal(client.getPeerCertificate().subject.CN, 'localhost');
    const ended = once(peer, 'end');
    assert.equal((await exchange(client, 'both sides are Schannel')).toString(), 'both sides are Schannel');
    await ended;
  });

  it('echoes 4 MiB unchanged (SHA-256 on both ends)', { timeout: 60_000 }, async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const client = await schannelClient(server.address().port);
    const echoed = await exchange(client, data);
    assert.equal(echoed.length, data.length);
    assert.equal(sha256(echoed), sha256(data));
  });

  it('a client that ends while 8 MiB of the reply is still queued gets all of it (the server is not half-open)', { timeout: 60_000 }, async () => {
    // The client's close_notify and FIN reach the server while its reply waits in the socket's
    // buffer (held there by corking the TCP socket until the client has ended): the server's own
    // end, which follows the peer's, must come after the reply. A TCP socket that shut its
    // writable side on the FIN by itself would lose what was still queued (EPIPE).
    // The reader is our client: an OpenSSL client (node:tls) refuses application data that comes
    // after its own close_notify (ERR_SSL_APPLICATION_DATA_AFTER_CLOSE_NOTIFY, measured with
    // Linux node 20 and node.exe 24, against node:tls's server as well as this one).
    const reply = randomBytes(8 * 1024 * 1024);
    const tcpSockets = new Map();
    const replying = await startServer({}, (socket) => {
      const tcp = tcpSockets.get(socket.remotePort);
      tcp.cork();
      socket.once('end', () => setTimeout(() => tcp.uncork(), 100));
      socket.resume();
      for (let offset = 0; offset < reply.length; offset += 64 * 1024) socket.write(reply.subarray(offset, offset + 64 * 1024));
    });
    replying.on('connection', (tcp) => tcpSockets.set(tcp.remotePort, tcp));
    const client = await schannelClient(replying.address().port, { allowHalfOpen: true });
    const chunks = [];
    client.on('data', (chunk) => chunks.push(chunk));
    const ended = new Promise((resolve) => {
      client.once('end', () => resolve('end'));
      client.once('error', (error) => resolve(`error ${error.code}: ${error.message}`));
    });
    client.end();
    assert.equal(await ended, 'end');
    const received = Buffer.concat(chunks);
    client.destroy();
    assert.equal(received.length, reply.length, `${received.length} of ${reply.length} bytes`);
    assert.equal(sha256(received), sha256(reply));
  });
});

describe('createServer: ALPN', () => {
  after(closeAll);

  it("picks by the server's preference, not the client's order", { timeout: NET_TIMEOUT }, async () => {
    const server = await startServer({ ALPNProtocols: ['h2', 'http/1.1'] });
    const cases = [
      [['http/1.1', 'h2'], 'h2'],
      [['h2', 'http/1.1'], 'h2'],
      [['x-other', 'http/1.1'], 'http/1.1'],
    ];
    for (const [offered, expected] of cases) {
      const secured = once(server, 'secureConnection');
      const client = await nodeClient(server.address().port, { ALPNProtocols: offered });
      const [peer] = await secured;
      assert.equal(client.alpnProtocol, expected, `client offered ${offered}`);
      assert.equal(peer.alpnProtocol, expected, `server side, client offered ${offered}`);
      client.destroy();
    }
  });

  it('a client that offers no ALPN is served with none', { timeout: NET_TIMEOUT }, async () => {
    const server = await startServer({ ALPNProtocols: ['h2'] });
    const secured = once(server, 'secureConnection');
    const client = await nodeClient(server.address().port);
    const [peer] = await secured;
    assert.equal(client.alpnProtocol, false);
    assert.equal(peer.alpnProtocol, false);
    client.destroy();
  });

  it('no protocol in common: AcceptSecurityContext fails with SEC_E_APPLICATION_PROTOCOL_MISMATCH, as node:tls refuses', { timeout: NET_TIMEOUT }, async (t) => {
    const server = await startServer({ ALPNProtocols: ['h2'] });
    const secured = new Promise((resolve) => server.once('secureConnection', resolve));
    const outcome = await nodeClient(server.address().port, { ALPNProtocols: ['x-nothing-in-common'] }).then(
      (socket) => ({ socket }),
      (error) => ({ error }),
    );
    if (isWine && outcome.socket) {
      const peer = await secured;
      const seen = `client alpnProtocol ${outcome.socket.alpnProtocol}, server ${peer.alpnProtocol}`;
      outcome.socket.destroy();
      return t.skip(`Wine: its Schannel server completes the handshake without ALPN when nothing overlaps (${seen}); Windows returns SEC_E_APPLICATION_PROTOCOL_MISMATCH`);
    }
    assert.ok(outcome.error, `the client must not connect (it got ${outcome.socket?.alpnProtocol})`);
    if (server.clientErrors.length === 0) await once(server, 'tlsClientError');
    const { error } = server.clientErrors[0];
    assert.ok(error instanceof schannel.SchannelError, `a SchannelError (${error})`);
    assert.equal(error.code, 'SEC_E_APPLICATION_PROTOCOL_MISMATCH');
  });
});

const noOpenssl = await opensslUnavailable();

describe('createServer with openssl s_client (the host)', { skip: noOpenssl ?? false }, () => {
  let server;
  let caFile;
  before(async () => {
    server = await startServer({ ALPNProtocols: ['h2', 'http/1.1'] });
    caFile = writePem('root-and-intermediate', p.root.certPem, p.intermediate.certPem);
  }, { timeout: NET_TIMEOUT });
  after(closeAll);

  it('s_client verifies the server, negotiates TLS 1.2 and h2 by server preference, and gets its line echoed', { timeout: NET_TIMEOUT }, async () => {
    const secured = once(server, 'secureConnection');
    const client = await startOpenSslClient({
      port: server.address().port,
      args: ['-tls1_2', '-servername', 'localhost', '-CAfile', caFile, '-verify_return_error', '-alpn', 'http/1.1,h2', '-ign_eof'],
    });
    try {
      const [peer] = await secured;
      assert.equal(peer.alpnProtocol, 'h2');
      await client.write('line from s_client\n');
      const output = await client.waitForOutput(/^line from s_client$/m);
      assert.match(output, /^line from s_client$/m, output);
      assert.match(output, /Verify return code: 0 \(ok\)/);
      assert.match(output, /Protocol\s*: TLSv1\.2/);
      assert.match(output, /ALPN protocol: h2/);
      assert.match(output, /subject=CN\s*=\s*localhost/);
    } finally {
      await client.stop();
    }
  });

  it('s_client without ALPN: the handshake completes and no protocol is chosen', { timeout: NET_TIMEOUT }, async () => {
    const client = await startOpenSslClient({
      port: server.address().port,
      args: ['-tls1_2', '-servername', 'localhost', '-CAfile', caFile, '-verify_return_error', '-ign_eof'],
    });
    try {
      await client.write('no alpn\n');
      const output = await client.waitForOutput(/^no alpn$/m);
      assert.match(output, /^no alpn$/m, output);
      assert.match(output, /No ALPN negotiated/);
    } finally {
      await client.stop();
    }
  });
});

// ------------------------------------------------------------------------------------------------
// One tls.createServer program, written once against the module, run with node:tls and with
// schannel: the same observable behaviour is the point of the facade.

/**
 * A small line server: upper-cases each line, says 'bye' when the client ends. It uses only what
 * tls.createServer programs use: createServer(options, listener), listen, address, close,
 * 'secureConnection', socket.write/end/getProtocol/alpnProtocol/authorized.
 */
async function lineServerProgram(tlsModule, serverOptions) {
  const log = [];
  let socketClosed;
  const socketClose = new Promise((resolve) => { socketClosed = resolve; });
  const server = tlsModule.createServer(serverOptions, (socket) => {
    log.push(['secureConnection', socket.getProtocol(), socket.alpnProtocol, socket.encrypted, socket.authorized, socket.authorizationError ?? null]);
    socket.setEncoding('utf8');
    let pending = '';
    socket.on('data', (text) => {
      pending += text;
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        log.push(['line', line]);
        socket.write(`${line.toUpperCase()}\n`);
      }
    });
    socket.on('end', () => {
      log.push(['end']);
      socket.end('bye\n');
    });
    socket.on('close', () => {
      log.push(['socket close']);
      socketClosed();
    });
  });
  server.on('tlsClientError', (error) => log.push(['tlsClientError', error.code]));
  const addressBefore = server.address();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port, ...address } = server.address();

  const client = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca, ALPNProtocols: ['http/1.1', 'h2'], maxVersion: 'TLSv1.2' });
  await once(client, 'secureConnect');
  const clientFacts = { protocol: client.getProtocol(), alpn: client.alpnProtocol, authorized: client.authorized };
  const response = await exchange(client, 'hello\nworld\n');
  const closed = new Promise((resolve) => server.close(() => resolve('closed')));
  const afterClose = await new Promise((resolve) => {
    const probe = net.connect(port, '127.0.0.1');
    probe.once('connect', () => { probe.destroy(); resolve('accepted'); });
    probe.once('error', (error) => resolve(error.code));
  });
  const outcome = {
    addressBefore,
    address,
    portIsNumber: Number.isInteger(port) && port > 0,
    client: { ...clientFacts, response: response.toString() },
    afterClose,
    closed: await closed,
    socketClosed: await socketClose.then(() => true),
    log,
  };
  client.destroy();
  return outcome;
}

describe('one tls.createServer program, run with node:tls and with schannel', () => {
  after(closeAll);

  it('behaves the same: events, socket facts, data, close', { timeout: NET_TIMEOUT }, async () => {
    const options = { pfx: serverPfx, passphrase: PASSPHRASE, ALPNProtocols: ['h2', 'http/1.1'], minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
    const reference = await lineServerProgram(tls, options);
    const ours = await lineServerProgram(schannel, options);
    // What the program must show with either module, spelled out so a failure names the difference.
    assert.deepEqual(reference.client, { protocol: 'TLSv1.2', alpn: 'h2', authorized: true, response: 'HELLO\nWORLD\nbye\n' });
    assert.equal(reference.afterClose, 'ECONNREFUSED');
    assert.deepEqual(reference.log.map(([event]) => event), ['secureConnection', 'line', 'line', 'end', 'socket close']);
    assert.deepEqual(ours, reference);
  });

  it('the same with PEM key and cert instead of the PFX', { timeout: NET_TIMEOUT }, async () => {
    const options = { key: p.leaf.keyPem, cert: p.leaf.certPem + p.intermediate.certPem, ALPNProtocols: ['http/1.1'], maxVersion: 'TLSv1.2' };
    const reference = await lineServerProgram(tls, options);
    const ours = await lineServerProgram(schannel, options);
    assert.equal(reference.client.alpn, 'http/1.1');
    assert.deepEqual(ours, reference);
  });
});

describe('createServer: listening, closing, address', () => {
  after(closeAll);

  it('address() is null before listen, then { address, family, port }', { timeout: NET_TIMEOUT }, async () => {
    const server = schannel.createServer({ pfx: serverPfx, passphrase: PASSPHRASE });
    assert.equal(server.address(), null);
    assert.equal(server.listening, false);
    await listen(server);
    trackServer(server);
    const address = server.address();
    assert.equal(address.address, '127.0.0.1');
    assert.equal(address.family, 'IPv4');
    assert.ok(Number.isInteger(address.port) && address.port > 0);
    assert.equal(server.listening, true);
    await closeServer(server);
    assert.equal(server.address(), null);
  });

  it('close() stops accepting at once; open connections go on until they end; then the callback', { timeout: NET_TIMEOUT }, async () => {
    const server = await startServer();
    const port = server.address().port;
    const open = await nodeClient(port);
    assert.equal((await roundTrip(open, Buffer.from('before close'))).toString(), 'before close');
    let closedAt = null;
    const closed = new Promise((resolve) => server.close(() => { closedAt = Date.now(); resolve(); }));
    untrackServer(server);
    await assert.rejects(nodeClient(port), (error) => error.code === 'ECONNREFUSED');
    assert.equal((await roundTrip(open, Buffer.from('after close'))).toString(), 'after close', 'the open connection still works');
    assert.equal(closedAt, null, 'not closed while a connection is open');
    const endedAt = Date.now();
    await exchange(open, '');
    await closed;
    assert.ok(closedAt >= endedAt);
  });

  it('the createServer listener and server.on("secureConnection") both see the socket', { timeout: NET_TIMEOUT }, async () => {
    const seen = [];
    const server = await startServer({}, (socket) => { seen.push('listener'); socket.end(); });
    server.on('secureConnection', () => seen.push('event'));
    const client = await nodeClient(server.address().port);
    await exchange(client, '');
    assert.deepEqual(seen, ['listener', 'event']);
  });
});

describe('createServer: handshakeTimeout', () => {
  after(closeAll);

  it('a client that connects and sends nothing gets ERR_TLS_HANDSHAKE_TIMEOUT; the server keeps serving', { timeout: NET_TIMEOUT }, async () => {
    const server = await startServer({ handshakeTimeout: 400 });
    const started = Date.now();
    const silent = net.connect(server.address().port, '127.0.0.1');
    silent.on('error', () => {});
    const silentClosed = once(silent, 'close');
    const [error, socket] = await once(server, 'tlsClientError');
    const elapsed = Date.now() - started;
    assert.equal(error.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
    assert.ok(error instanceof Error);
    assert.ok(socket instanceof schannel.SchannelSocket, 'the socket comes with the error');
    assert.ok(elapsed >= 350, `not before the timeout (${elapsed} ms)`);
    await silentClosed; // the server hung up on it
    const good = await nodeClient(server.address().port);
    assert.equal((await exchange(good, 'still serving')).toString(), 'still serving');
  });

  it('a client that stops halfway through its ClientHello times out the same way', { timeout: NET_TIMEOUT }, async () => {
    const server = await startServer({ handshakeTimeout: 400 });
    const hello = await captureClientHello();
    const stalled = net.connect(server.address().port, '127.0.0.1', () => stalled.write(hello.subarray(0, hello.length >> 1)));
    stalled.on('error', () => {});
    const [error] = await once(server, 'tlsClientError');
    assert.equal(error.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
    stalled.destroy();
  });

  it('a handshake that completes in time is not cut off later', { timeout: NET_TIMEOUT }, async () => {
    // 1 s, not less: the one handshake must finish well inside it even on a loaded CI machine.
    const server = await startServer({ handshakeTimeout: 1000 });
    const client = await nodeClient(server.address().port);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    assert.equal((await exchange(client, 'after the timeout')).toString(), 'after the timeout');
    assert.deepEqual(server.clientErrors, []);
  });
});

describe('createServer: setSecureContext', () => {
  after(closeAll);

  it('swaps the certificate for new connections; open ones keep theirs', { timeout: NET_TIMEOUT }, async () => {
    const second = issue({ cn: 'localhost', issuer: p.intermediate, dns: ['localhost'], ips: ['127.0.0.1'] });
    const server = await startServer();
    const first = await nodeClient(server.address().port);
    assert.equal(first.getPeerCertificate().fingerprint256, fingerprint(p.leaf));

    server.setSecureContext({ pfx: pfx(second, [p.intermediate], 'another'), passphrase: 'another' });
    const next = await nodeClient(server.address().port);
    assert.equal(next.authorized, true, next.authorizationError);
    assert.equal(next.getPeerCertificate().fingerprint256, fingerprint(second), 'the new certificate');
    assert.equal((await exchange(next, 'new')).toString(), 'new');
    assert.equal((await exchange(first, 'old')).toString(), 'old', 'the first connection is untouched');
  });

  it('a wrong passphrase throws and leaves the old certificate in place', { timeout: NET_TIMEOUT }, async () => {
    const server = await startServer();
    assert.throws(() => server.setSecureContext({ pfx: serverPfx, passphrase: 'wrong' }), schannel.SchannelError);
    const client = await nodeClient(server.address().port);
    assert.equal(client.getPeerCertificate().fingerprint256, fingerprint(p.leaf));
    client.destroy();
  });
});

describe('createServer: the certificate from a Windows store, or a credential of the caller', () => {
  after(closeAll);

  it('certificate: { store, thumbprint } serves with the key Windows holds; setSecureContext({ certificate }) swaps to another store certificate', { timeout: NET_TIMEOUT }, async () => {
    const second = issue({ cn: 'localhost', issuer: p.intermediate, dns: ['localhost'], ips: ['127.0.0.1'] });
    const added = schannel.addCertificate({ store: 'MY', pfx: pfx(p.leaf, [], PASSPHRASE), passphrase: PASSPHRASE }).filter((c) => c.hasPrivateKey);
    try {
      const server = await startServer({ pfx: undefined, passphrase: undefined, certificate: { store: 'MY', thumbprint: added[0].thumbprint } });
      const client = await nodeClient(server.address().port);
      assert.equal(client.authorized, true, client.authorizationError);
      assert.equal(client.getPeerCertificate().fingerprint256, fingerprint(p.leaf));
      assert.equal((await exchange(client, 'from the store')).toString(), 'from the store');

      const [other] = schannel.addCertificate({ store: 'MY', pfx: pfx(second, [], PASSPHRASE), passphrase: PASSPHRASE }).filter((c) => c.hasPrivateKey);
      added.push(other);
      server.setSecureContext({ certificate: { location: 'CurrentUser', store: 'MY', thumbprint: other.thumbprint } });
      const next = await nodeClient(server.address().port);
      assert.equal(next.getPeerCertificate().fingerprint256, fingerprint(second), 'the second store certificate');
      next.destroy();
      await closeServer(server);
    } finally {
      for (const c of added) schannel.removeCertificate({ store: 'MY', thumbprint: c.thumbprint, deleteKey: true });
    }
  });

  it('credential: the server keeps its own share, so the caller may dispose theirs; the share goes with close()', { timeout: NET_TIMEOUT }, async () => {
    schannel.clearCredentialCache();
    const before = schannel.debugStats().credentials;
    const credential = schannel.acquireCredentialsHandle({ use: 'inbound', pfx: serverPfx, passphrase: PASSPHRASE });
    const server = await startServer({ pfx: undefined, passphrase: undefined, credential });
    credential.dispose(); // the caller's reference only
    const client = await nodeClient(server.address().port);
    assert.equal(client.authorized, true, client.authorizationError);
    assert.equal((await exchange(client, 'after dispose')).toString(), 'after dispose');
    await closeServer(server);
    let now = schannel.debugStats().credentials;
    for (let waited = 0; now > before && waited < 2000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      now = schannel.debugStats().credentials;
    }
    assert.equal(now, before, 'FreeCredentialsHandle ran once the server and its connections were gone');
  });
});

describe('createServer: the tls.Server surface', () => {
  it('every public method of tls.Server exists on SchannelServer', () => {
    // setOptions is node's internal helper for its constructor (undocumented).
    const methods = Object.getOwnPropertyNames(tls.Server.prototype).filter((name) => name !== 'constructor' && name !== 'setOptions' && !name.startsWith('_'));
    const missing = methods.filter((name) => typeof schannel.SchannelServer.prototype[name] !== 'function');
    assert.deepEqual(missing, [], `tls.Server has ${methods.join(', ')}`);
  });
});

describe('createServer: the server-side socket\'s servername, as node:tls', () => {
  after(closeAll);

  it('is the name the client sent (SNI), or false without one', { timeout: NET_TIMEOUT }, async () => {
    const server = await startServer();
    for (const [servername, expected] of [['localhost', 'localhost'], [undefined, false]]) {
      const secured = once(server, 'secureConnection');
      const client = await nodeClient(server.address().port, { servername });
      const [peer] = await secured;
      assert.equal(peer.servername, expected, `client servername ${servername}`);
      client.destroy();
    }
  });
});
