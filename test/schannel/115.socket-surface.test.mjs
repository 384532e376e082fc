// SchannelSocket's tls.TLSSocket method surface, beyond the basics 100.connect checks: every public
// method of tls.TLSSocket exists, and each answers as node:tls answers in the same process where
// Schannel can (the local certificate, the Finished messages, the ephemeral key, the record size
// limit, the argument errors, the answers before the handshake and after destroy), or refuses
// with a typed error where it cannot (exportKeyingMaterial, renegotiate, setKeyCert). Peers:
// node.exe's own tls (OpenSSL in this process) on both sides.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import { after, describe, it } from 'node:test';
import { isWine, startNodeTlsServer, stopAllPeers, testPki } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const schannel = require('../..');
const { pfx } = require('../support/pki.cjs');

const T = { timeout: 30_000 };
const p = testPki();
const ca = [p.root.certPem, p.intermediate.certPem];
const clientIdentity = { key: p.client.keyPem, cert: p.client.certPem };
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** The keys whose value is defined: Node 24 reports an unknown field as present and undefined
 *  (`{ type: undefined, name: undefined, size: undefined }` without an ephemeral key), Node 22 leaves
 *  it out, as this package does. */
const defined = (object) => Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));

/** Connects with `connectFn` and resolves with the secure socket (rejects with its error). */
function secureClient(options, connectFn = schannel.connect) {
  return new Promise((resolve, reject) => {
    const socket = connectFn({ host: '127.0.0.1', servername: 'localhost', ca, ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}
const nodeClient = (options) => secureClient(options, tls.connect);

/**
 * node's tls server with a Schannel client and a node:tls client of it, both secure: runs `body`
 * with them side by side, then destroys both clients and stops the server, whatever happened.
 * Resolves with the two sockets, for checks once they are destroyed.
 */
async function sideBySide({ server: serverOptions = {}, ours: oursOptions = {}, theirs: theirsOptions = {} }, body) {
  const server = await startNodeTlsServer(serverOptions);
  let ours = null;
  let theirs = null;
  try {
    ours = await secureClient({ port: server.port, ...oursOptions });
    theirs = await nodeClient({ port: server.port, ...theirsOptions });
    await body({ ours, theirs, server });
  } finally {
    ours?.destroy();
    theirs?.destroy();
    await server.stop();
  }
  return { ours, theirs };
}

/** The same call on both sockets: its return value or its error's name, code and message. */
function outcome(fn) {
  try {
    const value = fn();
    return { value: value === undefined ? 'undefined' : value };
  } catch (error) {
    return { name: error.name, code: error.code, message: error.message };
  }
}

const servers = new Set();
/** schannel.createServer on 127.0.0.1:0; resolves with { server, port, next() } (next: the next secure socket). */
async function startSchannelServer(options) {
  const sockets = [];
  const waiters = [];
  const server = schannel.createServer({ maxVersion: 'TLSv1.2', ...options }, (socket) => {
    socket.on('error', () => {});
    const waiter = waiters.shift();
    if (waiter) waiter(socket);
    else sockets.push(socket);
  });
  servers.add(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: server.address().port,
    next: () => (sockets.length > 0 ? Promise.resolve(sockets.shift()) : new Promise((resolve) => waiters.push(resolve))),
  };
}

after(async () => {
  await Promise.allSettled([...servers].map((s) => new Promise((resolve) => s.close(resolve))));
  await stopAllPeers();
});

// ------------------------------------------------------------------------------------------------

describe('the method surface', () => {
  it('every public method of tls.TLSSocket exists on SchannelSocket', () => {
    const methods = Object.getOwnPropertyNames(tls.TLSSocket.prototype).filter((name) => name !== 'constructor' && !name.startsWith('_'));
    const missing = methods.filter((name) => typeof schannel.SchannelSocket.prototype[name] !== 'function');
    assert.deepEqual(missing, [], `tls.TLSSocket has ${methods.join(', ')}`);
  });

  it('the documented properties, on a live socket, as node:tls has them', T, async () => {
    await sideBySide({ ours: { ALPNProtocols: ['http/1.1'] }, theirs: { ALPNProtocols: ['http/1.1'] } }, async ({ ours, theirs }) => {
      for (const key of ['encrypted', 'authorized', 'authorizationError', 'alpnProtocol', 'servername', 'remoteAddress', 'remotePort', 'remoteFamily', 'localAddress']) {
        assert.equal(ours[key], theirs[key], key);
      }
      assert.equal(typeof ours.localPort, 'number');
      assert.deepEqual(ours.address(), { address: '127.0.0.1', family: 'IPv4', port: ours.localPort });
    });
  });
});

describe('getCertificate() and getX509Certificate(): this side\'s certificate', () => {
  it('a client with key + cert: node:tls\'s object before and after the handshake; the certificate the server received', T, async () => {
    const server = await startNodeTlsServer({ requestCert: true, rejectUnauthorized: true, ca });
    const ours = schannel.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca, ...clientIdentity });
    const theirs = tls.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca, ...clientIdentity });
    try {
      assert.deepEqual(ours.getCertificate(), theirs.getCertificate(), 'before the handshake: the configured certificate');
      await Promise.all([once(ours, 'secureConnect'), once(theirs, 'secureConnect')]);
      const peer = await server.connectionFrom(ours.localPort);
      assert.deepEqual(peer.getPeerCertificate().raw, p.client.der, 'the server received the client certificate');
      assert.deepEqual(ours.getCertificate(), theirs.getCertificate());
      assert.deepEqual(ours.getCertificate().raw, p.client.der);
      assert.equal(ours.getCertificate().issuerCertificate, undefined);
      assert.ok(ours.getX509Certificate() instanceof X509Certificate);
      assert.deepEqual(ours.getX509Certificate().raw, theirs.getX509Certificate().raw);
    } finally {
      ours.destroy();
      theirs.destroy();
      await server.stop();
    }
    assert.equal(ours.getCertificate(), null, 'destroyed: null, as node:tls');
    assert.equal(ours.getCertificate(), theirs.getCertificate());
    assert.equal(ours.getX509Certificate(), undefined);
    assert.equal(ours.getX509Certificate(), theirs.getX509Certificate());
  });

  it('a client with a pfx the server did not ask for: still the configured certificate, as node:tls', T, async () => {
    await sideBySide({ ours: { pfx: pfx(p.client, [p.intermediate], 'x'), passphrase: 'x' }, theirs: clientIdentity }, async ({ ours, theirs }) => {
      assert.deepEqual(ours.getCertificate(), theirs.getCertificate());
      assert.deepEqual(ours.getX509Certificate().raw, p.client.der);
    });
  });

  it('a client without a certificate: {} and undefined, as node:tls', T, async () => {
    await sideBySide({}, async ({ ours, theirs }) => {
      assert.deepEqual(ours.getCertificate(), {});
      assert.deepEqual(ours.getCertificate(), theirs.getCertificate());
      assert.equal(ours.getX509Certificate(), undefined);
      assert.equal(theirs.getX509Certificate(), undefined);
    });
  });

  it('LOCAL_CERT_CONTEXT, the attribute getCertificate() prefers, names the client certificate sent', T, async (t) => {
    // The attribute itself, through the engine: under Wine it is unsupported and the socket answers
    // from its credential instead (the tests above).
    const server = await startNodeTlsServer({ requestCert: true, rejectUnauthorized: true, ca });
    const credential = schannel.acquireCredentialsHandle({ use: 'outbound', flags: ['MANUAL_CRED_VALIDATION', 'NO_DEFAULT_CREDS'], pfx: pfx(p.client, [], 'x'), passphrase: 'x' });
    const socket = net.connect(server.port, '127.0.0.1');
    const engine = new schannel.TlsEngine({ role: 'client', credential, targetName: 'localhost' });
    try {
      await new Promise((resolve, reject) => {
        const drain = () => {
          const out = engine.takeOutgoing();
          if (out.length > 0) socket.write(out);
          for (const e of engine.takeEvents()) {
            if (e.type === 'handshake') resolve();
            if (e.type === 'error') reject(e.error);
          }
        };
        socket.on('connect', () => { engine.start(); drain(); });
        socket.on('data', (d) => { engine.feed(d); drain(); });
        socket.on('error', reject);
      });
      let chain;
      try {
        chain = schannel.queryContextAttributes(engine.context, 'LOCAL_CERT_CONTEXT');
      } catch (error) {
        if (isWine && error.code === 'SEC_E_UNSUPPORTED_FUNCTION') return t.skip('Wine: QueryContextAttributesW(SECPKG_ATTR_LOCAL_CERT_CONTEXT) returns SEC_E_UNSUPPORTED_FUNCTION');
        throw error;
      }
      assert.deepEqual(chain[0], p.client.der);
    } finally {
      socket.destroy();
      engine.destroy();
      credential.dispose();
      await server.stop();
    }
  });

  for (const [label, identity] of [
    ['key + cert', { key: p.leaf.keyPem, cert: p.leaf.certPem + p.intermediate.certPem }],
    ['pfx', { pfx: pfx(p.leaf, [p.intermediate], 'srv'), passphrase: 'srv' }],
  ]) {
    it(`a server socket (${label}): node:tls's server socket's object; the server keeps serving after the lookup`, T, async () => {
      const ours = await startSchannelServer(identity);
      const reference = await startNodeTlsServer({});
      const clients = [];
      try {
        clients.push(await nodeClient({ port: ours.port, maxVersion: 'TLSv1.2' }));
        const socket = await ours.next();
        clients.push(await nodeClient({ port: reference.port }));
        const referenceSocket = await reference.connectionFrom(clients[1].localPort);
        assert.deepEqual(socket.getCertificate(), referenceSocket.getCertificate());
        assert.deepEqual(socket.getX509Certificate().raw, p.leaf.der);
        // The certificate was looked up through Windows (a PFX import): the credential still works.
        clients.push(await nodeClient({ port: ours.port, maxVersion: 'TLSv1.2' }));
        const again = await ours.next();
        assert.deepEqual(again.getCertificate().raw, p.leaf.der);
        socket.destroy();
        assert.equal(socket.getCertificate(), null);
      } finally {
        for (const c of clients) c.destroy();
        await reference.stop();
      }
    });
  }

  it('a server with a credential of its own (acquireCredentialsHandle): its certificate', T, async () => {
    const credential = schannel.acquireCredentialsHandle({ use: 'inbound', pfx: pfx(p.leaf, [], 'own'), passphrase: 'own' });
    const ours = await startSchannelServer({ credential });
    credential.dispose(); // the server keeps its own share, which knows the certificate too
    const client = await nodeClient({ port: ours.port, maxVersion: 'TLSv1.2' });
    try {
      const socket = await ours.next();
      assert.deepEqual(socket.getCertificate().raw, p.leaf.der);
      assert.equal(socket.getCertificate().subject.CN, 'localhost');
    } finally {
      client.destroy();
    }
  });
});

describe('getFinished() / getPeerFinished(): the first Finished of a TLS 1.2 handshake (tls-unique)', () => {
  it('a client (full handshake): getFinished() is the Finished the server received; getPeerFinished() undefined', T, async () => {
    const server = await startNodeTlsServer({});
    const ours = schannel.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca });
    assert.equal(ours.getFinished(), undefined, 'before the handshake');
    assert.equal(ours.getPeerFinished(), undefined, 'before the handshake');
    await once(ours, 'secureConnect');
    try {
      const peer = await server.connectionFrom(ours.localPort);
      assert.equal(ours.isSessionReused(), false);
      assert.ok(Buffer.isBuffer(ours.getFinished()) && ours.getFinished().length === 12);
      assert.deepEqual(ours.getFinished(), peer.getPeerFinished());
      assert.equal(ours.getPeerFinished(), undefined, 'the server\'s Finished came second: Schannel does not expose it');
    } finally {
      ours.destroy();
      await server.stop();
    }
    assert.equal(ours.getFinished(), null, 'destroyed: null, as node:tls');
    assert.equal(ours.getPeerFinished(), null);
  });

  it('a server (full handshake): getPeerFinished() is the client\'s Finished; getFinished() undefined', T, async () => {
    const ours = await startSchannelServer({ key: p.leaf.keyPem, cert: p.leaf.certPem });
    const client = await nodeClient({ port: ours.port, maxVersion: 'TLSv1.2' });
    try {
      const socket = await ours.next();
      assert.deepEqual(socket.getPeerFinished(), client.getFinished());
      assert.equal(socket.getFinished(), undefined);
      socket.destroy();
      assert.equal(socket.getPeerFinished(), null);
    } finally {
      client.destroy();
    }
  });
});

describe('getFinished() / getPeerFinished() after a resumed handshake: the server\'s Finished came first', () => {
  it('a client resuming its session: getPeerFinished() is the server\'s Finished; getFinished() undefined', T, async (t) => {
    const server = await startNodeTlsServer({});
    try {
      const first = await secureClient({ port: server.port });
      first.resume();
      first.end();
      await once(first, 'close');
      const second = await secureClient({ port: server.port });
      try {
        const peer = await server.connectionFrom(second.localPort);
        if (!peer.isSessionReused() && isWine) return t.skip('Wine: Schannel does not resume (it offers an empty session id and ticket), so every handshake is a full one');
        assert.equal(peer.isSessionReused(), true, 'the server resumed the session');
        assert.equal(second.isSessionReused(), true);
        assert.deepEqual(second.getPeerFinished(), peer.getFinished());
        assert.equal(second.getFinished(), undefined);
      } finally {
        second.destroy();
      }
    } finally {
      await server.stop();
    }
  });

  it('a server resuming a client\'s session: getFinished() is its own Finished; getPeerFinished() undefined', T, async (t) => {
    const ours = await startSchannelServer({ key: p.leaf.keyPem, cert: p.leaf.certPem });
    const first = await nodeClient({ port: ours.port, maxVersion: 'TLSv1.2' });
    const session = first.getSession();
    first.destroy();
    const second = await nodeClient({ port: ours.port, maxVersion: 'TLSv1.2', session });
    try {
      await ours.next(); // the first connection's socket
      const socket = await ours.next();
      if (!second.isSessionReused() && isWine) return t.skip('Wine: Schannel\'s server does not resume sessions, so every handshake is a full one');
      assert.equal(second.isSessionReused(), true, 'the client resumed the session');
      assert.deepEqual(socket.getFinished(), second.getPeerFinished());
      assert.equal(socket.getPeerFinished(), undefined);
    } finally {
      second.destroy();
    }
  });
});

describe('getEphemeralKeyInfo(): the client\'s ephemeral key, as node:tls reports it', () => {
  const cases = [
    ['ECDHE over P-256', { ecdhCurve: 'prime256v1' }],
    ['ECDHE over P-384', { ecdhCurve: 'secp384r1' }],
    ['ECDHE over X25519', { ecdhCurve: 'X25519' }],
    ['DHE', { ciphers: 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384', dhparam: 'auto' }],
    ['RSA key transport (no ephemeral key)', { ciphers: 'AES128-GCM-SHA256:AES256-GCM-SHA384' }],
  ];
  for (const [label, serverOptions] of cases) {
    it(label, T, async (t) => {
      const server = await startNodeTlsServer(serverOptions);
      let ours;
      try {
        ours = await secureClient({ port: server.port });
      } catch (error) {
        await server.stop();
        // The suites a Schannel client offers are the system's policy: a system that offers none the
        // server accepts cannot show this case.
        if (/DHE|RSA key transport/.test(label)) return t.skip(`the system's Schannel policy offers no suite for ${label} (${error.code})`);
        throw error;
      }
      const theirs = await nodeClient({ port: server.port });
      try {
        const expected = defined(theirs.getEphemeralKeyInfo());
        const actual = ours.getEphemeralKeyInfo();
        assert.equal(actual.type, expected.type);
        if (expected.type !== undefined && actual.size === undefined && isWine) {
          return t.skip(`Wine: CONNECTION_INFO's dwExchStrength is always 0 (its schan_get_connection_info leaves it as a FIXME), so only { type: '${actual.type}' } is known`);
        }
        assert.deepEqual(actual, expected);
      } finally {
        ours.destroy();
        theirs.destroy();
        await server.stop();
      }
    });
  }

  it('a server socket: {} (as node:tls); destroyed: null', T, async () => {
    const ours = await startSchannelServer({ key: p.leaf.keyPem, cert: p.leaf.certPem });
    const client = await nodeClient({ port: ours.port, maxVersion: 'TLSv1.2' });
    try {
      const socket = await ours.next();
      assert.deepEqual(socket.getEphemeralKeyInfo(), {});
      socket.destroy();
      assert.equal(socket.getEphemeralKeyInfo(), null);
    } finally {
      client.destroy();
    }
  });
});

describe('exportKeyingMaterial(): node:tls\'s argument errors, then a typed refusal', () => {
  const badArguments = [
    [0, 'label'], [1.5, 'label'], ['16', 'label'], [2 ** 32, 'label'], [-1, 'label'], [undefined, 'label'],
    [16, 5], [16, undefined], [16, 'label', 'context'], [16, 'label', new ArrayBuffer(4)], [16, 'label', null],
  ];

  it('bad arguments: the same errors as node:tls, before the handshake', T, async () => {
    const server = await startNodeTlsServer({});
    const ours = schannel.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca });
    const theirs = tls.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca });
    try {
      for (const args of [...badArguments, [16, 'label'], [16, 'label', Buffer.from('ctx')]]) {
        const expected = outcome(() => theirs.exportKeyingMaterial(...args));
        assert.ok(expected.code, `node:tls throws for ${JSON.stringify(args)}`);
        assert.deepEqual(outcome(() => ours.exportKeyingMaterial(...args)), expected, `exportKeyingMaterial(${args.map(String).join(', ')})`);
      }
      await Promise.all([once(ours, 'secureConnect'), once(theirs, 'secureConnect')]);
      for (const args of badArguments) {
        assert.deepEqual(outcome(() => ours.exportKeyingMaterial(...args)), outcome(() => theirs.exportKeyingMaterial(...args)));
      }
    } finally {
      ours.destroy();
      theirs.destroy();
      await server.stop();
    }
  });

  it('a secure socket: SchannelError ERR_SCHANNEL_UNSUPPORTED_OPERATION (node:tls gives the material)', T, async () => {
    const { ours } = await sideBySide({}, async ({ ours, theirs }) => {
      assert.equal(theirs.exportKeyingMaterial(32, 'EXPORTER-test').length, 32);
      assert.throws(() => ours.exportKeyingMaterial(32, 'EXPORTER-test'), (error) => {
        assert.ok(error instanceof schannel.SchannelError);
        assert.equal(error.code, 'ERR_SCHANNEL_UNSUPPORTED_OPERATION');
        assert.match(error.message, /SECPKG_ATTR_KEYING_MATERIAL_INFO/);
        return true;
      });
    });
    assert.throws(() => ours.exportKeyingMaterial(32, 'EXPORTER-test'), { code: 'ERR_TLS_INVALID_STATE' }, 'destroyed');
  });
});

/** A TCP relay that records what the client sends; resolves with { port, upstream(i), stop() }. */
async function recordingRelay(targetPort) {
  const connections = [];
  const server = net.createServer((inbound) => {
    const entry = { chunks: [] };
    connections.push(entry);
    const outbound = net.connect(targetPort, '127.0.0.1');
    inbound.on('data', (d) => { entry.chunks.push(d); outbound.write(d); });
    outbound.on('data', (d) => inbound.write(d));
    inbound.on('end', () => outbound.end());
    outbound.on('end', () => inbound.end());
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    /** The lengths of the application-data records connection `i` sent. */
    applicationRecords(i) {
      const data = Buffer.concat(connections[i].chunks);
      const lengths = [];
      for (let offset = 0; offset + 5 <= data.length; offset += 5 + data.readUInt16BE(offset + 3)) {
        if (data[offset] === 23) lengths.push(data.readUInt16BE(offset + 3));
      }
      return lengths;
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Writes `size` bytes in one write, waits for the echo, and ends. */
async function echoOnce(socket, size) {
  let received = 0;
  const echoed = new Promise((resolve) => socket.on('data', (d) => { received += d.length; if (received >= size) resolve(); }));
  socket.write(Buffer.alloc(size, 0x61));
  await echoed;
  socket.end();
  await once(socket, 'close');
}

describe('setMaxSendFragment()', () => {
  it('node:tls\'s answers: true for 512..16384, false for another integer, argument errors otherwise', T, async () => {
    const { ours } = await sideBySide({}, async ({ ours, theirs }) => {
      for (const size of [511, 512, 1024, 16384, 16385, 0, -1, 2 ** 31, 1.5, NaN, '1024', null, undefined, 2 ** 31 - 1]) {
        assert.deepEqual(outcome(() => ours.setMaxSendFragment(size)), outcome(() => theirs.setMaxSendFragment(size)), `setMaxSendFragment(${String(size)})`);
      }
    });
    assert.equal(ours.setMaxSendFragment(1024), false, 'destroyed: false (node:tls throws a TypeError on its null handle)');
  });

  it('records carry at most that much plaintext: the same records on the wire as node:tls\'s', T, async () => {
    // One suite for both clients, so a record's overhead (AES-GCM: 8-byte nonce, 16-byte tag) is known.
    const server = await startNodeTlsServer({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    const relay = await recordingRelay(server.port);
    try {
      const plaintext = (lengths) => lengths.map((n) => n - 24);
      const runs = [];
      for (const [connectFn, limit] of [[schannel.connect, 1024], [tls.connect, 1024], [schannel.connect, null], [schannel.connect, 512]]) {
        const socket = await secureClient({ port: relay.port }, connectFn);
        if (limit !== null) assert.equal(socket.setMaxSendFragment(limit), true);
        await echoOnce(socket, 5000);
        runs.push(plaintext(relay.applicationRecords(runs.length)));
      }
      const [ours, theirs, unlimited, small] = runs;
      assert.deepEqual(theirs, [1024, 1024, 1024, 1024, 904], 'node:tls\'s records');
      assert.deepEqual(ours, theirs);
      assert.deepEqual(unlimited, [5000], 'without a limit: one record');
      assert.deepEqual(small, [...Array(9).fill(512), 392]);
    } finally {
      await relay.stop();
      await server.stop();
    }
  });
});

describe('renegotiation', () => {
  it('renegotiate(): node:tls\'s argument errors; false and the callback on the next tick with ERR_SCHANNEL_UNSUPPORTED_OPERATION; undefined once destroyed', T, async () => {
    const { ours, theirs } = await sideBySide({}, async ({ ours, theirs }) => {
      for (const args of [[], [null], [5], [{}, 5], [{}, 'callback']]) {
        const expected = outcome(() => theirs.renegotiate(...args));
        assert.ok(expected.code, `node:tls throws for ${args.map(String).join(', ')}`);
        assert.deepEqual(outcome(() => ours.renegotiate(...args)), expected);
      }
      let called = null;
      const done = new Promise((resolve) => {
        assert.equal(ours.renegotiate({ rejectUnauthorized: true }, (error) => { called = error; resolve(); }), false);
      });
      assert.equal(called, null, 'not called synchronously');
      await done;
      assert.ok(called instanceof schannel.SchannelError);
      assert.equal(called.code, 'ERR_SCHANNEL_UNSUPPORTED_OPERATION');
      assert.equal(ours.renegotiate({}), false);
    });
    let late = false;
    assert.equal(ours.renegotiate({}, () => { late = true; }), undefined);
    assert.equal(theirs.renegotiate({}, () => { late = true; }), undefined);
    await delay(20);
    assert.equal(late, false, 'a destroyed socket never calls back, as node:tls');
  });

  it('disableRenegotiation() on a server socket: a client\'s renegotiation ends it with ERR_TLS_RENEGOTIATION_DISABLED, as node:tls', T, async (t) => {
    const ours = await startSchannelServer({ key: p.leaf.keyPem, cert: p.leaf.certPem });
    const reference = await startNodeTlsServer({}, (socket) => socket.disableRenegotiation());
    const clients = [];
    try {
      const run = async (port, next) => {
        const client = await nodeClient({ port, maxVersion: 'TLSv1.2' });
        client.on('error', () => {});
        clients.push(client);
        const socket = await next(client);
        socket.disableRenegotiation?.();
        const failed = new Promise((resolve) => socket.once('error', resolve));
        client.renegotiate({}, () => {});
        return Promise.race([failed, delay(5000).then(() => null)]);
      };
      const expected = await run(reference.port, (client) => reference.connectionFrom(client.localPort));
      assert.equal(expected?.code, 'ERR_TLS_RENEGOTIATION_DISABLED', 'node:tls\'s server');
      const actual = await run(ours.port, () => ours.next());
      if (actual === null && isWine) return t.skip('Wine: a ClientHello on an established session never reaches the server as SEC_I_RENEGOTIATE (GnuTLS handles or drops it inside DecryptMessage)');
      assert.equal(actual?.code, expected.code);
      assert.equal(actual.message, expected.message);
    } finally {
      for (const c of clients) c.destroy();
      await reference.stop();
    }
  });

  it('disableRenegotiation() on a client: the server\'s HelloRequest ends it with ERR_TLS_RENEGOTIATION_DISABLED', T, async (t) => {
    const server = await startNodeTlsServer({}, (socket) => {
      socket.pipe(socket);
      socket.once('data', () => socket.renegotiate({}, () => {}));
    });
    const ours = await secureClient({ port: server.port });
    try {
      ours.disableRenegotiation();
      const failed = new Promise((resolve) => ours.once('error', resolve));
      ours.write('go');
      const error = await Promise.race([failed, delay(5000).then(() => null)]);
      if (error === null && isWine) return t.skip('Wine: a HelloRequest never reaches the client as SEC_I_RENEGOTIATE');
      assert.equal(error?.code, 'ERR_TLS_RENEGOTIATION_DISABLED');
      assert.equal(error.message, 'TLS session renegotiation disabled for this socket');
    } finally {
      ours.destroy();
      await server.stop();
    }
  });
});

describe('the rest of the surface, before the handshake, live, and after destroy', () => {
  it('getSharedSigalgs(), getTLSTicket(), getSession(): [], undefined, undefined; null once destroyed, as node:tls', T, async () => {
    const { ours, theirs } = await sideBySide({}, async ({ ours, theirs }) => {
      assert.deepEqual(ours.getSharedSigalgs(), []);
      assert.equal(ours.getTLSTicket(), undefined);
      assert.equal(ours.getSession(), undefined);
      assert.ok(Array.isArray(theirs.getSharedSigalgs()), 'node:tls lists its shared algorithms (Schannel does not expose them)');
    });
    for (const name of ['getSharedSigalgs', 'getTLSTicket', 'getSession', 'getFinished', 'getPeerFinished', 'getEphemeralKeyInfo', 'getCertificate', 'enableTrace']) {
      assert.deepEqual(outcome(() => ours[name]()), outcome(() => theirs[name]()), `${name}() once destroyed`);
    }
    assert.deepEqual(outcome(() => ours.getX509Certificate()), outcome(() => theirs.getX509Certificate()));
  });

  it('getProtocol(), getCipher(), getPeerCertificate(), getPeerX509Certificate(), isSessionReused(): live answers, then node:tls\'s once destroyed', T, async () => {
    const getters = ['getProtocol', 'getCipher', 'getPeerCertificate', 'getPeerX509Certificate', 'isSessionReused'];
    const { ours, theirs } = await sideBySide({}, async ({ ours }) => {
      assert.match(ours.getProtocol(), /^TLSv1\.[23]$/);
      assert.equal(typeof ours.getCipher().name, 'string');
      assert.equal(ours.getPeerCertificate().subject.CN, 'localhost');
      assert.ok(ours.getPeerX509Certificate() instanceof X509Certificate);
      assert.equal(ours.isSessionReused(), false);
    });
    for (const name of getters) {
      assert.deepEqual(outcome(() => ours[name]()), outcome(() => theirs[name]()), `${name}() once destroyed`);
    }
    assert.equal(ours.getPeerCertificate(true), null, 'destroyed: null whatever the argument');
  });

  it('the same getters after a clean close (end(), then the server\'s FIN): node:tls\'s answers', T, async () => {
    const server = await startNodeTlsServer({}, (socket) => socket.end());
    try {
      // Each one's 'close' is listened for as soon as it is secure: the server's FIN is on its way.
      const closed = (socket) => once(socket.resume(), 'close').then(() => socket);
      const ours = await closed(await secureClient({ port: server.port }));
      const theirs = await closed(await nodeClient({ port: server.port }));
      for (const name of ['getProtocol', 'getCipher', 'getPeerCertificate', 'getPeerX509Certificate', 'isSessionReused']) {
        assert.deepEqual(outcome(() => ours[name]()), outcome(() => theirs[name]()), `${name}() once closed`);
      }
    } finally {
      await server.stop();
    }
  });

  it('before the handshake every method answers (none throws an untyped error), as node:tls', T, async () => {
    const server = await startNodeTlsServer({});
    const ours = schannel.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca });
    const theirs = tls.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca });
    try {
      for (const name of ['getFinished', 'getPeerFinished', 'getTLSTicket', 'getSession', 'getCertificate', 'getX509Certificate', 'getSharedSigalgs']) {
        assert.deepEqual(outcome(() => ours[name]()), outcome(() => theirs[name]()), `${name}() before the handshake`);
      }
      assert.deepEqual(ours.getEphemeralKeyInfo(), {});
      assert.equal(ours.setMaxSendFragment(2048), true);
      assert.equal(ours.disableRenegotiation(), undefined);
      await Promise.all([once(ours, 'secureConnect'), once(theirs, 'secureConnect')]);
    } finally {
      ours.destroy();
      theirs.destroy();
      await server.stop();
    }
  });

  it('enableTrace(): this socket\'s trace on stderr; undefined, null once destroyed', T, async () => {
    const server = await startNodeTlsServer({});
    const ours = schannel.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca });
    const lines = [];
    const write = process.stderr.write;
    process.stderr.write = function (chunk, ...rest) {
      if (String(chunk).startsWith('schannel ')) { lines.push(String(chunk)); return true; }
      return write.call(this, chunk, ...rest);
    };
    try {
      assert.equal(ours.enableTrace(), undefined);
      await once(ours, 'secureConnect');
      ours.resume();
      ours.end();
      await once(ours, 'close');
    } finally {
      process.stderr.write = write;
      await server.stop();
    }
    assert.ok(lines.some((l) => /^schannel client handshake SEC_E_OK/.test(l)), lines.join(''));
    assert.ok(lines.some((l) => /^schannel client sent close_notify/.test(l)), lines.join(''));
    assert.equal(ours.enableTrace(), null);
  });

  it('setServername(): node:tls\'s argument error; before the handshake it is the SNI the server sees; ERR_TLS_SNI_FROM_SERVER on a server socket', T, async () => {
    const server = await startNodeTlsServer({});
    const ours = schannel.connect({ port: server.port, host: '127.0.0.1', ca, checkServerIdentity: () => undefined });
    const theirs = tls.connect({ port: server.port, host: '127.0.0.1', ca, checkServerIdentity: () => undefined });
    try {
      assert.deepEqual(outcome(() => ours.setServername(5)), outcome(() => theirs.setServername(5)));
      ours.setServername('localhost');
      theirs.setServername('localhost');
      await Promise.all([once(ours, 'secureConnect'), once(theirs, 'secureConnect')]);
      const [peer, reference] = await Promise.all([server.connectionFrom(ours.localPort), server.connectionFrom(theirs.localPort)]);
      assert.equal(reference.servername, 'localhost', 'node:tls sent it');
      assert.equal(peer.servername, 'localhost');
      assert.equal(ours.servername, theirs.servername);
      assert.equal(ours.setServername('later.example'), undefined, 'after the handshake: no effect, as node:tls');
      const serverSide = await startSchannelServer({ key: p.leaf.keyPem, cert: p.leaf.certPem });
      const client = await nodeClient({ port: serverSide.port, maxVersion: 'TLSv1.2' });
      const socket = await serverSide.next();
      assert.deepEqual(outcome(() => socket.setServername('x')), outcome(() => reference.setServername('x')));
      assert.equal(outcome(() => socket.setServername('x')).code, 'ERR_TLS_SNI_FROM_SERVER');
      client.destroy();
    } finally {
      ours.destroy();
      theirs.destroy();
      await server.stop();
    }
  });

  it('setSession(): node:tls\'s type error; a session Schannel cannot use is ignored, as node:tls ignores one it cannot parse', T, async () => {
    const server = await startNodeTlsServer({});
    const theirs = await nodeClient({ port: server.port });
    const session = theirs.getSession();
    const ours = schannel.connect({ port: server.port, host: '127.0.0.1', servername: 'localhost', ca });
    try {
      assert.deepEqual(outcome(() => ours.setSession(5)), outcome(() => theirs.setSession(5)));
      assert.equal(ours.setSession(session), undefined);
      assert.equal(ours.setSession(Buffer.from('not a session')), undefined);
      await once(ours, 'secureConnect');
      assert.equal(ours.isSessionReused(), false);
    } finally {
      ours.destroy();
      theirs.destroy();
      await server.stop();
    }
  });

  it('setKeyCert(): node:tls\'s argument error; a live socket refuses with ERR_SCHANNEL_UNSUPPORTED_OPERATION; nothing once destroyed', T, async () => {
    const { ours } = await sideBySide({}, async ({ ours, theirs }) => {
      assert.deepEqual(outcome(() => ours.setKeyCert(5)), outcome(() => theirs.setKeyCert(5)));
      assert.throws(() => ours.setKeyCert(clientIdentity), (error) => error instanceof schannel.SchannelError && error.code === 'ERR_SCHANNEL_UNSUPPORTED_OPERATION');
    });
    assert.equal(ours.setKeyCert(clientIdentity), undefined);
  });
});
