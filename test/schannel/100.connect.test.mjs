// connect(): tls.connect with Schannel underneath, against node.exe's own tls server (OpenSSL in this
// process) and the host's `openssl s_server`. The certificate matrix is checked with the codes
// node:tls gives; the session facts (protocol, cipher, ALPN, SNI, peer certificate) against what
// the server saw; and the tls.connect surface (argument forms, `socket`, `timeout`, `signal`,
// checkServerIdentity) against node:tls itself, side by side in the same process.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { isWine, opensslUnavailable, startNodeTlsServer, startOpenSslServer, stopAllPeers, testPki, writePem } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const schannel = require('../..');

const T = { timeout: 30_000 };
const MARKER = 'sent-before-secureConnect';
const fingerprint = (pem) => new X509Certificate(pem).fingerprint256;
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Connects with `connectFn(options)`, writes MARKER at once (before the handshake), and settles on
 * 'secureConnect' or 'error'. Resolves to { socket, secure, error, events, closed } (closed: a
 * promise of the 'close' event, which can come in the same tick as 'error').
 */
function attempt(options, connectFn = schannel.connect) {
  return new Promise((resolve) => {
    const events = [];
    const socket = connectFn(options);
    const closed = new Promise((done) => socket.once('close', done));
    socket.write(MARKER);
    socket.on('secureConnect', () => {
      events.push('secureConnect');
      resolve({ socket, secure: true, error: null, events, closed });
    });
    socket.on('error', (error) => {
      events.push('error');
      resolve({ socket, secure: events.includes('secureConnect'), error, events, closed });
    });
  });
}

/** A node.exe tls server that records, per connection, the bytes it received and when it closed. */
async function recordingServer(options = {}) {
  const received = [];
  const server = await startNodeTlsServer(options, (socket) => {
    const entry = { socket, data: '', error: null, closed: new Promise((resolve) => socket.once('close', resolve)) };
    socket.on('error', (error) => { entry.error = error; });
    received.push(entry);
    socket.setEncoding('latin1');
    socket.on('data', (d) => { entry.data += d; });
  });
  return { ...server, received };
}

/** A TCP server that accepts and never answers (a TLS handshake that stalls). */
async function silentServer() {
  const sockets = new Set();
  const server = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    stop: () => { for (const s of sockets) s.destroy(); return new Promise((resolve) => server.close(resolve)); },
  };
}

// The certificate matrix: the certificates a server presents and the code node:tls gives with
// ca = [root] and host 'localhost'.
const matrix = (p) => [
  { name: 'expired leaf', certs: [p.expired, p.intermediate], code: 'CERT_HAS_EXPIRED', statusName: 'CERT_E_EXPIRED' },
  { name: 'not-yet-valid leaf', certs: [p.notYetValid, p.intermediate], code: 'CERT_NOT_YET_VALID', statusName: 'CERT_E_EXPIRED' },
  { name: 'wrong host', certs: [p.wrongHost, p.intermediate], code: 'ERR_TLS_CERT_ALTNAME_INVALID', statusName: 'CERT_E_CN_NO_MATCH' },
  { name: 'self-signed leaf', certs: [p.selfSigned], code: 'DEPTH_ZERO_SELF_SIGNED_CERT', statusName: 'CERT_E_UNTRUSTEDROOT' },
  { name: 'untrusted root (presented)', certs: [p.untrustedRoot.leaf, p.untrustedRoot.root], code: 'SELF_SIGNED_CERT_IN_CHAIN', statusName: 'CERT_E_UNTRUSTEDROOT' },
  { name: 'untrusted root (not presented)', certs: [p.untrustedRoot.leaf], code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', statusName: 'CERT_E_CHAINING' },
  { name: 'missing intermediate', certs: [p.leaf], code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', statusName: 'CERT_E_CHAINING' },
];

// ------------------------------------------------------------------------------------------------

describe('connect() against node.exe tls server: the certificate matrix', () => {
  const p = testPki();
  const ca = [p.root.certPem];
  after(stopAllPeers);

  it('a good chain: secureConnect, authorized, and the data written early reaches the server', T, async () => {
    const server = await recordingServer();
    const { socket, secure, error } = await attempt({ port: server.port, host: 'localhost', ca });
    try {
      assert.equal(error, null);
      assert.equal(secure, true);
      assert.equal(socket.authorized, true);
      assert.equal(socket.authorizationError, null);
      assert.equal(socket.encrypted, true);
      const peer = await server.connectionFrom(socket.localPort);
      while (!server.received.find((r) => r.socket === peer)?.data.includes(MARKER)) await once(peer, 'data');
    } finally {
      socket.destroy();
    }
  });

  for (const c of matrix(testPki())) {
    it(`${c.name}: rejected with ${c.code} (${c.statusName}), no secureConnect, nothing sent to the server`, T, async () => {
      const server = await recordingServer({ key: c.certs[0].keyPem, cert: c.certs.map((x) => x.certPem).join('') });
      const { socket, error, events, closed } = await attempt({ port: server.port, host: 'localhost', ca });
      assert.ok(error, 'an error');
      assert.equal(error.code, c.code);
      assert.equal(error.statusName, c.statusName);
      assert.deepEqual(events, ['error']);
      assert.equal(socket.authorized, false);
      await closed;
      assert.equal(server.received.length, 1, 'the server completed its side of the handshake');
      await server.received[0].closed;
      assert.equal(server.received[0].data, '', 'the server received no application data');
      await server.stop();
    });

    it(`${c.name}, rejectUnauthorized: false: secureConnect with authorized false and authorizationError ${c.code}`, T, async () => {
      const server = await recordingServer({ key: c.certs[0].keyPem, cert: c.certs.map((x) => x.certPem).join('') });
      const { socket, secure, error } = await attempt({ port: server.port, host: 'localhost', ca, rejectUnauthorized: false });
      try {
        assert.equal(error, null);
        assert.equal(secure, true);
        assert.equal(socket.authorized, false);
        assert.equal(socket.authorizationError, c.code);
        const reference = await attempt({ port: server.port, host: 'localhost', ca, rejectUnauthorized: false, maxVersion: 'TLSv1.2' }, tls.connect);
        const referenceCode = reference.socket.authorizationError?.code ?? reference.socket.authorizationError ??
          tls.checkServerIdentity('localhost', reference.socket.getPeerCertificate(true))?.code;
        reference.socket.destroy();
        assert.equal(referenceCode, c.code, 'node:tls gives the same code');
      } finally {
        socket.destroy();
        await server.stop();
      }
    });
  }

  it('without ca the test chain is untrusted (system roots): UNABLE_TO_GET_ISSUER_CERT_LOCALLY, as node:tls says', T, async () => {
    const server = await recordingServer();
    const { error } = await attempt({ port: server.port, host: 'localhost' });
    assert.equal(error?.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    const reference = await attempt({ port: server.port, host: 'localhost' }, tls.connect);
    assert.equal(reference.error?.code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    const loose = await attempt({ port: server.port, host: 'localhost', rejectUnauthorized: false });
    loose.socket.destroy();
    assert.equal(loose.socket.authorized, false);
    assert.equal(loose.socket.authorizationError, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('an IP host (127.0.0.1) sends no SNI and is checked against the iPAddress SANs', T, async () => {
    const server = await recordingServer();
    const { socket, error } = await attempt({ port: server.port, host: '127.0.0.1', ca });
    try {
      assert.equal(error, null);
      assert.equal(socket.authorized, true);
      assert.equal((await server.connectionFrom(socket.localPort)).servername, false, 'no SNI');
    } finally {
      socket.destroy();
    }
    const wrong = await recordingServer({ key: p.wrongHost.keyPem, cert: p.wrongHost.certPem + p.intermediate.certPem });
    const rejected = await attempt({ port: wrong.port, host: '127.0.0.1', ca });
    assert.equal(rejected.error?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.match(rejected.error.message, /IP: 127\.0\.0\.1 is not in the cert's list/);
  });

  it('servername: the SNI the server saw, and the name the certificate is checked against', T, async () => {
    const server = await recordingServer();
    for (const [options, sni] of [[{ host: 'localhost' }, 'localhost'], [{ host: '127.0.0.1', servername: 'localhost' }, 'localhost']]) {
      const { socket, error } = await attempt({ port: server.port, ca, ...options });
      try {
        assert.equal(error, null);
        assert.equal(socket.servername, sni);
        assert.equal((await server.connectionFrom(socket.localPort)).servername, sni);
      } finally {
        socket.destroy();
      }
    }
    const other = await attempt({ port: server.port, host: '127.0.0.1', servername: 'other.example.test', ca });
    assert.equal(other.error?.code, 'ERR_TLS_CERT_ALTNAME_INVALID', 'the servername, not the host, is checked');
    assert.match(other.error.message, /Host: other\.example\.test\./);
  });
});

describe('connect() against node.exe tls server: session facts', () => {
  const p = testPki();
  const ca = [p.root.certPem];
  after(stopAllPeers);

  it('ALPN: the server’s preference wins; the wire-format Buffer form works; none offered or none chosen is false', T, async () => {
    const server = await recordingServer({ ALPNProtocols: ['h2', 'http/1.1'] });
    const cases = [
      [['http/1.1', 'h2'], 'h2'],
      [['http/1.1'], 'http/1.1'],
      [Buffer.from('\x08http/1.1\x02h2', 'latin1'), 'h2'],
      [undefined, false],
    ];
    for (const [ALPNProtocols, expected] of cases) {
      const { socket, error } = await attempt({ port: server.port, host: 'localhost', ca, ALPNProtocols });
      try {
        assert.equal(error, null);
        assert.equal(socket.alpnProtocol, expected, `offered ${ALPNProtocols}`);
        assert.equal((await server.connectionFrom(socket.localPort)).alpnProtocol, expected);
      } finally {
        socket.destroy();
      }
    }
    const plain = await recordingServer();
    const { socket } = await attempt({ port: plain.port, host: 'localhost', ca, ALPNProtocols: ['h2'] });
    socket.destroy();
    assert.equal(socket.alpnProtocol, false, 'a server without ALPN chooses none');
  });

  it('ALPN with no protocol in common: the server’s fatal alert ends the handshake in an error, not a hang', T, async () => {
    const server = await recordingServer({ ALPNProtocols: ['h2'] });
    const { error, events } = await attempt({ port: server.port, host: 'localhost', ca, ALPNProtocols: ['x-unknown'] });
    assert.ok(error instanceof Error);
    assert.equal(typeof error.code, 'string');
    assert.deepEqual(events, ['error']);
    assert.equal(server.received.length, 0, 'the server never completed the handshake');
  });

  it('getProtocol() is TLSv1.2; getCipher() has name, standardName (the server’s) and version', T, async () => {
    const server = await recordingServer({ ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' });
    const { socket, error } = await attempt({ port: server.port, host: 'localhost', ca });
    try {
      assert.equal(error, null);
      assert.equal(socket.getProtocol(), 'TLSv1.2');
      const cipher = socket.getCipher();
      assert.deepEqual(Object.keys(cipher).sort(), ['name', 'standardName', 'version']);
      assert.equal(typeof cipher.name, 'string');
      assert.ok(cipher.name.length > 0);
      assert.equal(cipher.version, 'TLSv1.2');
      const theirs = (await server.connectionFrom(socket.localPort)).getCipher();
      assert.equal(cipher.standardName, theirs.standardName);
      assert.equal(cipher.standardName, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
    } finally {
      socket.destroy();
    }
  });

  // Wine reports dwCipherSuite 0 and a name of its own making (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA384
  // for 0xC02F, TLS_<unknown>_RSA_... for plain RSA), so the name comes from the suite number:
  // Schannel's, else the ServerHello's. Both names must be the server's, for every suite.
  for (const suite of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES128-SHA', 'AES128-GCM-SHA256']) {
    it(`getCipher() names the suite the server chose: ${suite}`, T, async () => {
      const server = await recordingServer({ ciphers: suite });
      const { socket, error } = await attempt({ port: server.port, host: 'localhost', ca });
      try {
        assert.equal(error, null);
        const theirs = (await server.connectionFrom(socket.localPort)).getCipher();
        assert.equal(theirs.name, suite);
        const mine = socket.getCipher();
        assert.equal(mine.standardName, theirs.standardName);
        assert.equal(mine.name, theirs.name);
      } finally {
        socket.destroy();
      }
    });
  }

  it('getPeerCertificate(): subject, SANs and fingerprint256 of the leaf; getPeerCertificate(true).issuerCertificate is the intermediate', T, async () => {
    const server = await recordingServer();
    const { socket, error } = await attempt({ port: server.port, host: 'localhost', ca });
    try {
      assert.equal(error, null);
      const cert = socket.getPeerCertificate();
      assert.equal(cert.subject.CN, 'localhost');
      assert.equal(cert.issuer.CN, 'schannel test intermediate');
      assert.equal(cert.fingerprint256, fingerprint(p.leaf.certPem));
      assert.match(cert.subjectaltname, /DNS:localhost/);
      assert.ok(Buffer.isBuffer(cert.raw) && cert.raw.equals(p.leaf.der));
      assert.equal(cert.issuerCertificate, undefined, 'not detailed: no issuerCertificate');
      const detailed = socket.getPeerCertificate(true);
      assert.equal(detailed.fingerprint256, fingerprint(p.leaf.certPem));
      assert.equal(detailed.issuerCertificate.subject.CN, 'schannel test intermediate');
      assert.equal(detailed.issuerCertificate.fingerprint256, fingerprint(p.intermediate.certPem));
    } finally {
      socket.destroy();
    }
  });

  it('validation starts during the handshake where the context reports the server\'s chain before it completes', T, async () => {
    // Whether this system's Schannel reports REMOTE_CERT_CONTEXT once the server's flight is in
    // (TLS 1.2: when the client sends its second flight), asked through the engine as the socket asks.
    const server = await recordingServer();
    const credential = schannel.acquireCredentialsHandle({ flags: ['MANUAL_CRED_VALIDATION', 'NO_DEFAULT_CREDS'], maxVersion: 'TLSv1.2' });
    const engine = new schannel.TlsEngine({ role: 'client', credential, targetName: 'localhost' });
    const tcp = net.connect(server.port, '127.0.0.1');
    let midHandshake = null;
    try {
      await once(tcp, 'connect');
      engine.start();
      tcp.write(engine.takeOutgoing());
      while (engine.state === 'handshaking') {
        const [data] = await once(tcp, 'data');
        engine.feed(data);
        const out = engine.takeOutgoing();
        if (out.length > 0) tcp.write(out);
        if (out.length > 0 && engine.state === 'handshaking' && midHandshake === null) {
          try {
            midHandshake = schannel.queryContextAttributes(engine.context, 'REMOTE_CERT_CONTEXT').length > 0;
          } catch {
            midHandshake = false;
          }
        }
      }
      assert.equal(engine.state, 'open');
    } finally {
      tcp.destroy();
      engine.destroy();
      credential.dispose();
    }

    const { socket, error } = await attempt({ port: server.port, host: 'localhost', ca });
    socket.destroy();
    await server.stop();
    assert.equal(error, null);
    const t = socket.timings;
    assert.ok(t.validation !== null && t.validation <= t.secure, 'validation has a start, before secureConnect');
    if (midHandshake) assert.ok(t.validation < t.handshake, `the chain was readable mid-handshake, so validation began before the handshake ended (${t.validation} vs ${t.handshake})`);
    else assert.ok(t.validation >= t.handshake, 'no chain before the handshake ended: validation began after it');
  });

  it('getPeerCertificate(true) reaches the trusted root (self-referencing), as node:tls’s does', T, async () => {
    const server = await recordingServer();
    const subjects = (socket) => {
      const names = [];
      for (let c = socket.getPeerCertificate(true), i = 0; c && c.subject && i < 6; c = c.issuerCertificate, i++) {
        names.push(c.subject.CN);
        if (c.issuerCertificate === c) { names.push('(itself)'); break; }
      }
      return names;
    };
    const reference = await attempt({ port: server.port, host: 'localhost', ca }, tls.connect);
    const expected = subjects(reference.socket);
    reference.socket.destroy();
    assert.deepEqual(expected, ['localhost', 'schannel test intermediate', 'schannel test root', '(itself)']);
    const { socket } = await attempt({ port: server.port, host: 'localhost', ca });
    const ours = subjects(socket);
    socket.destroy();
    assert.deepEqual(ours, expected);
  });
});

describe('connect(): checkServerIdentity', () => {
  const p = testPki();
  const ca = [p.root.certPem];
  let server;
  before(async () => { server = await recordingServer(); });
  after(stopAllPeers);

  it('is called with (hostname, detailed cert) and its error is the connection’s error', T, async () => {
    const calls = [];
    const mine = Object.assign(new Error('not the host I wanted'), { code: 'MY_IDENTITY_CHECK' });
    const { error, events } = await attempt({
      port: server.port, host: 'localhost', ca,
      checkServerIdentity: (hostname, cert) => { calls.push({ hostname, cert }); return mine; },
    });
    assert.equal(calls.length, 1);
    assert.equal(calls[0].hostname, 'localhost');
    assert.equal(calls[0].cert.subject.CN, 'localhost');
    assert.equal(calls[0].cert.fingerprint256, fingerprint(p.leaf.certPem));
    assert.equal(calls[0].cert.issuerCertificate?.subject.CN, 'schannel test intermediate');
    assert.equal(error, mine);
    assert.deepEqual(events, ['error']);
  });

  it('with rejectUnauthorized: false its error becomes authorizationError', T, async () => {
    const { socket, error } = await attempt({
      port: server.port, host: 'localhost', ca, rejectUnauthorized: false,
      checkServerIdentity: () => Object.assign(new Error('no'), { code: 'MY_IDENTITY_CHECK' }),
    });
    socket.destroy();
    assert.equal(error, null);
    assert.equal(socket.authorized, false);
    assert.equal(socket.authorizationError, 'MY_IDENTITY_CHECK');
  });

  it('replaces the built-in name check: undefined accepts a name the certificate lacks; it gets the servername', T, async () => {
    const seen = [];
    const { socket, error } = await attempt({
      port: server.port, host: '127.0.0.1', servername: 'other.example.test', ca,
      checkServerIdentity: (hostname) => { seen.push(hostname); return undefined; },
    });
    socket.destroy();
    assert.equal(error, null);
    assert.equal(socket.authorized, true);
    assert.deepEqual(seen, ['other.example.test']);
  });

  it('is not called when the chain itself fails (as in node:tls)', T, async () => {
    const expired = await recordingServer({ key: p.expired.keyPem, cert: p.expired.certPem + p.intermediate.certPem });
    let called = 0;
    const { error } = await attempt({ port: expired.port, host: 'localhost', ca, checkServerIdentity: () => { called++; } });
    assert.equal(error?.code, 'CERT_HAS_EXPIRED');
    assert.equal(called, 0);
  });
});

describe('connect(): the tls.connect surface', () => {
  const p = testPki();
  const ca = [p.root.certPem];
  let server;
  let silent;
  before(async () => {
    server = await recordingServer();
    silent = await silentServer();
  });
  after(async () => {
    await silent?.stop();
    await stopAllPeers();
  });

  it('the `socket` option: TLS over an already-connected net.Socket (and one still connecting)', T, async () => {
    for (const wait of [true, false]) {
      const raw = net.connect(server.port, '127.0.0.1');
      if (wait) await once(raw, 'connect');
      const { socket, error } = await attempt({ socket: raw, ca });
      try {
        assert.equal(error, null);
        assert.equal(socket.authorized, true, 'checked against the default host, localhost');
        assert.equal(socket.localPort, raw.localPort);
        const peer = await server.connectionFrom(raw.localPort);
        assert.equal(peer.servername, 'localhost');
        socket.write('over the given socket');
        const entry = server.received.find((r) => r.socket === peer);
        while (!entry.data.includes('over the given socket')) await once(peer, 'data');
        assert.equal(entry.data, `${MARKER}over the given socket`);
      } finally {
        socket.destroy();
      }
      assert.equal(raw.destroyed, true, 'destroying the TLS socket destroys the transport');
    }
  });

  it('argument forms: (port, host, options, cb), (port, options, cb), (options, cb), ("port", host, options)', T, async () => {
    const forms = [
      (cb) => schannel.connect(server.port, 'localhost', { ca }, cb),
      (cb) => schannel.connect(server.port, { host: 'localhost', ca }, cb),
      (cb) => schannel.connect({ port: server.port, host: 'localhost', ca }, cb),
      (cb) => { const s = schannel.connect(String(server.port), 'localhost', { ca }); s.once('secureConnect', cb); return s; },
    ];
    for (const [i, form] of forms.entries()) {
      let socket;
      await new Promise((resolve, reject) => {
        socket = form(resolve);
        socket.once('error', reject);
      });
      try {
        assert.equal(socket.authorized, true, `form ${i}`);
        assert.equal((await server.connectionFrom(socket.localPort)).servername, 'localhost', `form ${i}`);
      } finally {
        socket.destroy();
      }
    }
  });

  it('options.port and options.host override the positional ones, as in node:tls (“options.host overrides a host arg”)', T, async () => {
    for (const connectFn of [tls.connect, schannel.connect]) {
      const { socket, error } = await attempt([1, 'localhost', { port: server.port, host: 'localhost', ca }], (args) => connectFn(...args));
      const remotePort = socket.remotePort;
      socket.destroy();
      assert.equal(error, null, `${connectFn === tls.connect ? 'node:tls' : 'schannel'}: ${error?.message}`);
      assert.equal(remotePort, server.port);
    }
  });

  it('destroySoon() ends the writable side, then destroys the socket, as net.Socket’s (https.Agent calls it)', T, async () => {
    const quiet = await startNodeTlsServer({ allowHalfOpen: true }, (socket) => socket.resume()); // never ends its side
    for (const connectFn of [tls.connect, schannel.connect]) {
      const name = connectFn === tls.connect ? 'node:tls' : 'schannel';
      const { socket, error } = await attempt({ port: quiet.port, host: 'localhost', ca }, connectFn);
      assert.equal(error, null);
      const closed = new Promise((resolve) => socket.once('close', resolve));
      try {
        assert.equal(typeof socket.destroySoon, 'function', name);
        socket.destroySoon();
        await Promise.race([closed, delay(5000).then(() => assert.fail(`${name}: not closed within 5 s`))]);
        assert.equal(socket.destroyed, true);
        assert.equal(socket.writableFinished, true, `${name}: the writable side finished first`);
      } finally {
        socket.destroy();
      }
    }
  });

  it('`timeout` emits "timeout" on a stalled handshake and leaves the socket open, as node:tls does', T, async () => {
    for (const connectFn of [tls.connect, schannel.connect]) {
      const started = Date.now();
      const socket = connectFn({ port: silent.port, host: 'localhost', ca, timeout: 300 });
      socket.on('error', () => {});
      await once(socket, 'timeout');
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 5000, `${elapsed} ms`);
      assert.equal(socket.destroyed, false, 'timeout only notifies');
      socket.destroy();
    }
  });

  it('`signal`: aborting during the handshake (and an already aborted signal) ends in an AbortError, as node:tls', T, async () => {
    for (const connectFn of [tls.connect, schannel.connect]) {
      const controller = new AbortController();
      const socket = connectFn({ port: silent.port, host: 'localhost', ca, signal: controller.signal });
      let secure = false;
      socket.on('secureConnect', () => { secure = true; });
      setTimeout(() => controller.abort(), 200);
      const closed = new Promise((resolve) => socket.once('close', resolve));
      const [error] = await once(socket, 'error');
      assert.equal(error.name, 'AbortError');
      assert.equal(error.code, 'ABORT_ERR');
      assert.equal(secure, false);
      await closed;

      const pre = connectFn({ port: server.port, host: 'localhost', ca, signal: AbortSignal.abort() });
      const [preError] = await once(pre, 'error');
      assert.equal(preError.name, 'AbortError');
    }
  });
});

describe('connect(): `secureContext`, node:tls\'s way of handing over roots and a client certificate', () => {
  const p = testPki();
  after(stopAllPeers);

  /** The verdict of each stack with its own createSecureContext(): [schannel, node:tls]. */
  async function verdicts(port, contextOptions, extra = {}) {
    const results = [];
    for (const [connectFn, make] of [[schannel.connect, schannel.createSecureContext], [tls.connect, tls.createSecureContext]]) {
      const { socket, error } = await attempt({ port, host: 'localhost', secureContext: make(contextOptions), rejectUnauthorized: false, maxVersion: 'TLSv1.2', ...extra }, connectFn);
      socket.destroy();
      assert.equal(error, null, error?.message);
      results.push({ authorized: socket.authorized, error: socket.authorizationError?.code ?? socket.authorizationError ?? null });
    }
    return results;
  }

  it('its ca is the trusted roots, and the options\' own ca is ignored (both ways round), as node:tls', T, async () => {
    const server = await recordingServer();
    try {
      const trusted = await verdicts(server.port, { ca: [p.root.certPem] }, { ca: [p.untrustedRoot.root.certPem] });
      assert.deepEqual(trusted, [{ authorized: true, error: null }, { authorized: true, error: null }]);
      const untrusted = await verdicts(server.port, { ca: [p.untrustedRoot.root.certPem] }, { ca: [p.root.certPem] });
      assert.equal(untrusted[0].authorized, false);
      assert.deepEqual(untrusted[0], untrusted[1], 'the same verdict and code as node:tls');
    } finally {
      await server.stop();
    }
  });

  it('its key + cert is the client certificate the server receives; one context serves many connections', T, async () => {
    const server = await startNodeTlsServer({ requestCert: true, rejectUnauthorized: true, ca: [p.root.certPem, p.intermediate.certPem] });
    const context = schannel.createSecureContext({ ca: [p.root.certPem], key: p.client.keyPem, cert: p.client.certPem + p.intermediate.certPem });
    try {
      for (let i = 0; i < 2; i++) {
        const { socket, error } = await attempt({ port: server.port, host: 'localhost', secureContext: context });
        try {
          assert.equal(error, null, error?.message);
          assert.equal(socket.authorized, true);
          const peer = await server.connectionFrom(socket.localPort);
          assert.equal(peer.getPeerCertificate().fingerprint256, fingerprint(p.client.certPem), 'the server got the context\'s certificate');
        } finally {
          socket.destroy();
        }
      }
    } finally {
      await server.stop();
    }
  });

  it('its protocol range applies: maxVersion TLSv1.1 against a TLSv1.2-only server fails, as node:tls fails', T, async () => {
    const server = await recordingServer();
    try {
      for (const [connectFn, make] of [[schannel.connect, schannel.createSecureContext], [tls.connect, tls.createSecureContext]]) {
        // A system with TLS 1.0 and 1.1 turned off may refuse the credential at once: a thrown error.
        const { secure, error } = await attempt({ port: server.port, host: 'localhost', secureContext: make({ ca: [p.root.certPem], minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }) }, connectFn)
          .catch((thrown) => ({ secure: false, error: thrown }));
        assert.equal(secure, false, connectFn === tls.connect ? 'node:tls' : 'schannel');
        assert.ok(error, 'an error');
      }
    } finally {
      await server.stop();
    }
  });

  it('a node:tls SecureContext is a TypeError that says what to pass instead', () => {
    assert.throws(() => schannel.connect({ port: 1, host: 'localhost', secureContext: tls.createSecureContext({}) }), (error) => {
      assert.equal(error.name, 'TypeError');
      assert.equal(error.code, 'ERR_INVALID_ARG_TYPE');
      assert.match(error.message, /schannel\.createSecureContext\(\)/);
      return true;
    });
  });
});

describe('connect(): an existing tls.connect program works after swapping the import', () => {
  const p = testPki();
  let server;
  after(stopAllPeers);
  before(async () => {
    // A line server: each line comes back upper-cased; after the client's end it sends a summary
    // and ends too (it stays half-open to do so).
    server = await startNodeTlsServer({ allowHalfOpen: true, ALPNProtocols: ['http/1.1'] }, (socket) => {
      let lines = 0;
      let pending = '';
      socket.setEncoding('utf8');
      socket.on('data', (d) => {
        pending += d;
        for (let i = pending.indexOf('\n'); i !== -1; i = pending.indexOf('\n')) {
          socket.write(`${pending.slice(0, i).toUpperCase()}\n`);
          pending = pending.slice(i + 1);
          lines++;
        }
      });
      socket.on('end', () => socket.end(`${lines} lines\n`));
    });
  });

  // Written against node:tls only: options, secureConnect listener, events, setEncoding, write
  // callbacks, end() with data and callback, the TLSSocket getters.
  function program(tlsModule, port, ca) {
    return new Promise((resolve, reject) => {
      const log = [];
      const socket = tlsModule.connect({ port, host: 'localhost', ca, ALPNProtocols: ['http/1.1'] }, () => {
        log.push(`secure authorized=${socket.authorized} protocol=${socket.getProtocol()} alpn=${socket.alpnProtocol} cn=${socket.getPeerCertificate().subject.CN}`);
        socket.write('hello\n', () => log.push('write 1 done'));
        socket.write(Buffer.from('world\n'), (err) => log.push(`write 2 done ${err ?? ''}`.trim()));
        socket.end('bye\n', () => log.push('end done'));
      });
      socket.setEncoding('utf8');
      let text = '';
      socket.on('data', (d) => { text += d; });
      socket.on('end', () => log.push('end'));
      socket.on('error', reject);
      socket.on('close', (hadError) => resolve({ text, hadError, log }));
    });
  }

  it('the same function gives the same results with node:tls and with schannel', T, async () => {
    const ca = [p.root.certPem];
    const reference = await program(tls, server.port, ca);
    const mine = await program(schannel, server.port, ca);
    assert.equal(reference.text, 'HELLO\nWORLD\nBYE\n3 lines\n');
    assert.equal(mine.text, reference.text);
    assert.deepEqual([...mine.log].sort(), [...reference.log].sort());
    assert.match(mine.log[0], /^secure authorized=true protocol=TLSv1\.2 alpn=http\/1\.1 cn=localhost$/);
    assert.equal(reference.hadError, false);
    assert.equal(mine.hadError, reference.hadError, "'close' carries hadError, as net.Socket's does");
  });
});

// ------------------------------------------------------------------------------------------------

const noOpenssl = await opensslUnavailable();

describe('connect() against openssl s_server', { skip: noOpenssl ?? false }, () => {
  const p = testPki();
  const ca = [p.root.certPem];
  after(stopAllPeers);

  /** s_server (TLS 1.2, echoing what it reads to its output) presenting `certs`. */
  const sServer = (certs, args = []) => startOpenSslServer({
    cert: certs[0].certPem, key: certs[0].keyPem, chain: certs.slice(1).map((c) => c.certPem), args: ['-tls1_2', ...args],
  });

  it('a good chain: authorized, TLSv1.2, and s_server prints what was written before secureConnect', T, async () => {
    const server = await sServer([p.leaf, p.intermediate]);
    const { socket, error } = await attempt({ port: server.port, host: 'localhost', ca });
    try {
      assert.equal(error, null);
      assert.equal(socket.authorized, true);
      assert.equal(socket.getProtocol(), 'TLSv1.2');
      assert.equal(socket.getPeerCertificate().fingerprint256, fingerprint(p.leaf.certPem));
      assert.match(await server.waitForOutput(new RegExp(MARKER)), new RegExp(MARKER));
    } finally {
      socket.destroy();
      await server.stop();
    }
  });

  for (const c of matrix(testPki())) {
    it(`${c.name}: ${c.code} by default (s_server reads nothing), authorizationError with rejectUnauthorized: false`, T, async () => {
      const server = await sServer(c.certs);
      try {
        const rejected = await attempt({ port: server.port, host: 'localhost', ca });
        assert.equal(rejected.error?.code, c.code);
        assert.equal(rejected.error.statusName, c.statusName);
        assert.deepEqual(rejected.events, ['error']);
        await rejected.closed;
        const afterReject = await server.waitForOutput(/CONNECTION CLOSED|ERROR/);
        assert.match(afterReject, /CIPHER is|Protocol version/, "s_server completed its handshake");
        await delay(200);
        assert.doesNotMatch(await server.output(), new RegExp(MARKER), 's_server received no application data');

        const loose = await attempt({ port: server.port, host: 'localhost', ca, rejectUnauthorized: false });
        loose.socket.destroy();
        assert.equal(loose.error, null);
        assert.equal(loose.socket.authorized, false);
        assert.equal(loose.socket.authorizationError, c.code);
      } finally {
        await server.stop();
      }
    });
  }

  it('SNI: s_server -servername sees "localhost" and switches to its second certificate; an IP host sends none', T, async () => {
    const sniArgs = ['-naccept', '1', '-servername', 'localhost', '-cert2', writePem('cert2', p.selfSigned.certPem), '-key2', writePem('key2', p.selfSigned.keyPem)];
    const trust = [p.root.certPem, p.selfSigned.certPem];
    for (const host of ['localhost', '127.0.0.1']) {
      const server = await sServer([p.leaf, p.intermediate], sniArgs);
      try {
        const { socket, error } = await attempt({ port: server.port, host, ca: trust });
        socket.end();
        assert.equal(error, null);
        assert.equal(socket.authorized, true);
        const presented = socket.getPeerCertificate().fingerprint256;
        const output = await server.waitForOutput(/cache full overflows/);
        if (host === 'localhost') {
          assert.match(output, /Hostname in TLS extension: "localhost"/);
          assert.equal(presented, fingerprint(p.selfSigned.certPem), 'the certificate for that name');
        } else {
          assert.doesNotMatch(output, /Hostname in TLS extension/);
          assert.equal(presented, fingerprint(p.leaf.certPem));
        }
      } finally {
        await server.stop();
      }
    }
  });

  it('ALPN: s_server -alpn h2,http/1.1 picks by its own preference and says so', T, async () => {
    const server = await sServer([p.leaf, p.intermediate], ['-alpn', 'h2,http/1.1']);
    try {
      const { socket, error } = await attempt({ port: server.port, host: 'localhost', ca, ALPNProtocols: ['http/1.1', 'h2'] });
      socket.destroy();
      assert.equal(error, null);
      assert.equal(socket.alpnProtocol, 'h2');
      const output = await server.waitForOutput(/ALPN protocols selected: \S+/);
      assert.match(output, /ALPN protocols advertised by the client: http\/1\.1, h2/);
      assert.match(output, /ALPN protocols selected: h2/);
    } finally {
      await server.stop();
    }
  });

  it('data both ways with s_server -rev (it reverses each line)', T, async () => {
    const server = await sServer([p.leaf, p.intermediate], ['-rev']);
    try {
      const { socket, error } = await attempt({ port: server.port, host: 'localhost', ca });
      assert.equal(error, null);
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (d) => { text += d; });
      socket.write('hello schannel\n');
      while (!text.includes('\n')) await once(socket, 'data');
      socket.destroy();
      // What was written before secureConnect arrived first, in the same line.
      assert.equal(text.split('\n')[0], `${MARKER}hello schannel`.split('').reverse().join(''));
    } finally {
      await server.stop();
    }
  });
});
