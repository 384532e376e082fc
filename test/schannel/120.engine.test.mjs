// The sans-I/O TlsEngine driven by hand, without sockets: node.exe's own TLS server (OpenSSL) runs
// over one end of an in-memory stream.duplexPair(); the test carries bytes between that pair and the
// engine itself, so it decides exactly what the engine is fed and when (one byte at a time, whole
// flights, several records at once) and looks at what the engine gives back.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { duplexPair } from 'node:stream';
import tls from 'node:tls';
import { after, describe, it } from 'node:test';
import { testPki } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const schannel = require('../..');
const { TlsEngine, runHandshake, SchannelError, acquireCredentialsHandle, queryContextAttributes } = schannel;

const T = { timeout: 30_000 };
const p = testPki();
const credentials = [];
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** TLS records at the start of `buf`: [{ type, length, complete }]. */
function records(buf) {
  const out = [];
  for (let at = 0; at + 5 <= buf.length;) {
    const length = buf.readUInt16BE(at + 3);
    out.push({ type: buf[at], version: buf.readUInt16BE(at + 1), length, complete: at + 5 + length <= buf.length });
    at += 5 + length;
  }
  return out;
}
const types = (buf) => records(buf).map((r) => r.type);

function clientEngine(options = {}) {
  const credential = acquireCredentialsHandle({ use: 'outbound', flags: ['MANUAL_CRED_VALIDATION', 'NO_DEFAULT_CREDS'] });
  credentials.push(credential);
  return new TlsEngine({ role: 'client', credential, targetName: 'localhost', ...options });
}

/**
 * node's TLS server over an in-memory pair. `wire` is the client end: the test writes the engine's
 * output to it and takes what the server sent with `flight()`. onSecure(server) runs when the
 * server's handshake is done.
 */
function memoryServer(options = {}, onSecure = () => {}) {
  const [wire, theirs] = duplexPair();
  const server = new tls.TLSSocket(theirs, {
    isServer: true,
    secureContext: tls.createSecureContext({
      key: p.leaf.keyPem, cert: p.leaf.certPem + p.intermediate.certPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2',
    }),
    ALPNProtocols: options.ALPNProtocols,
  });
  const received = [];
  const secure = new Promise((resolve) => server.once('secure', resolve));
  server.on('secure', () => onSecure(server));
  server.on('data', (d) => received.push(d));
  server.on('error', () => {});
  const inbox = [];
  wire.on('data', (d) => inbox.push(d));
  return {
    wire,
    server,
    secure,
    received: () => Buffer.concat(received).toString('latin1'),
    /** Everything the server has sent, once it has been quiet for a moment. */
    async flight(quietMs = 30, maxMs = 5000) {
      const started = Date.now();
      for (let last = -1; ;) {
        await delay(quietMs);
        const total = inbox.reduce((n, b) => n + b.length, 0);
        if ((total > 0 && total === last) || Date.now() - started > maxMs) break;
        last = total;
      }
      return Buffer.concat(inbox.splice(0));
    },
    send(bytes) {
      if (bytes.length > 0) wire.write(bytes);
    },
  };
}

/** Runs the handshake feeding whole flights; resolves to the number of feeds it took. */
async function handshakeWhole(engine, peer) {
  engine.start();
  let feeds = 0;
  for (let round = 0; engine.state === 'handshaking' && round < 10; round++) {
    peer.send(engine.takeOutgoing());
    engine.feed(await peer.flight());
    feeds++;
  }
  peer.send(engine.takeOutgoing());
  return feeds;
}

after(() => {
  for (const c of credentials) c.dispose();
});

describe('TlsEngine: feeding', () => {
  it('the server’s bytes fed one at a time: SECBUFFER_MISSING is tracked, one "handshake" event, then data', T, async () => {
    const peer = memoryServer({}, (server) => server.pipe(server));
    const engine = clientEngine();
    assert.equal(engine.state, 'idle');
    engine.start();
    assert.equal(engine.state, 'handshaking');
    const hello = engine.takeOutgoing();
    assert.deepEqual(types(hello), [22], 'the ClientHello, one handshake record');
    assert.equal(engine.takeOutgoing().length, 0, 'taken once');
    peer.send(hello);

    const missing = new Set();
    let maxBuffered = 0;
    const events = [];
    for (let round = 0; engine.state === 'handshaking' && round < 4; round++) {
      const flight = await peer.flight();
      for (const byte of flight) {
        engine.feed(Buffer.of(byte));
        if (engine.missing !== null) missing.add(engine.missing);
        maxBuffered = Math.max(maxBuffered, engine.bufferedCiphertext);
        events.push(...engine.takeEvents());
      }
      peer.send(engine.takeOutgoing());
    }
    assert.equal(engine.state, 'open');
    assert.deepEqual(events, [{ type: 'handshake' }]);
    assert.ok(missing.size > 10, `many different missing counts (${[...missing].slice(0, 8)}...)`);
    assert.ok([...missing].every((m) => m > 0));
    assert.ok(maxBuffered > 100, `partial records were held (${maxBuffered} bytes)`);
    assert.equal(engine.bufferedCiphertext, 0);

    engine.write(Buffer.from('ping one byte at a time'));
    const out = engine.takeOutgoing();
    assert.deepEqual(types(out), [23]);
    peer.send(out);
    const echoed = await peer.flight();
    const plaintext = [];
    for (const byte of echoed) {
      engine.feed(Buffer.of(byte));
      plaintext.push(...engine.takePlaintext());
    }
    assert.equal(Buffer.concat(plaintext).toString(), 'ping one byte at a time');
    assert.equal(plaintext.length, 1, 'one record, delivered once it was whole');
  });

  it('whole flights: two feeds complete the handshake, nothing is left missing', T, async () => {
    const peer = memoryServer();
    const engine = clientEngine();
    const feeds = await handshakeWhole(engine, peer);
    assert.equal(engine.state, 'open');
    assert.equal(feeds, 2, 'ServerHello..Done, then ChangeCipherSpec+Finished');
    assert.equal(engine.missing, null);
    assert.deepEqual(engine.takeEvents(), [{ type: 'handshake' }]);
    assert.ok(engine.context instanceof schannel.SecurityContext);
    assert.equal(queryContextAttributes(engine.context, 'CONNECTION_INFO').protocolName, 'TLSv1.2');
    await peer.secure;
  });

  it('coalesced records: several application records (and close_notify) in one feed', T, async () => {
    const peer = memoryServer();
    const engine = clientEngine();
    await handshakeWhole(engine, peer);
    engine.takeEvents();
    for (const word of ['alpha;', 'beta;', 'gamma;']) {
      peer.server.write(word);
      await delay(5); // separate writes, separate records
    }
    peer.server.end();
    const bytes = await peer.flight();
    assert.deepEqual(types(bytes), [23, 23, 23, 21], 'three data records and the close_notify alert');
    engine.feed(bytes);
    assert.equal(Buffer.concat(engine.takePlaintext()).toString(), 'alpha;beta;gamma;');
    assert.deepEqual(engine.takeEvents(), [{ type: 'peer-closed' }]);
    assert.equal(engine.receivedCloseNotify, true);
    assert.equal(engine.bufferedCiphertext, 0);
    assert.equal(engine.state, 'open', 'our side is still open until we send ours');
    engine.shutdown();
    assert.equal(engine.state, 'closed');
  });

  it('records split across feeds at awkward places (header halves, mid-body) come out whole', T, async () => {
    const peer = memoryServer();
    const engine = clientEngine();
    await handshakeWhole(engine, peer);
    peer.server.write('x'.repeat(20_000)); // two records
    peer.server.write('tail');
    const bytes = await peer.flight();
    const cuts = [2, 5, 7, 300, 16_000, 16_500, bytes.length - 3, bytes.length];
    const plaintext = [];
    let from = 0;
    for (const cut of cuts) {
      engine.feed(bytes.subarray(from, cut));
      plaintext.push(...engine.takePlaintext());
      from = cut;
    }
    assert.equal(Buffer.concat(plaintext).toString(), `${'x'.repeat(20_000)}tail`);
  });
});

describe('TlsEngine: writing and closing', () => {
  it('writes before the handshake ends are held (no application record goes out early), then sent in order', T, async () => {
    const peer = memoryServer();
    const engine = clientEngine();
    engine.start();
    engine.write(Buffer.from('first;'));
    engine.write([Buffer.from('second;'), Buffer.from('third;')]);
    const hello = engine.takeOutgoing();
    assert.deepEqual(types(hello), [22], 'only the ClientHello');
    peer.send(hello);
    engine.feed(await peer.flight());
    const second = engine.takeOutgoing();
    assert.ok(!types(second).includes(23), `no application data before the handshake is done (${types(second)})`);
    peer.send(second);
    engine.feed(await peer.flight());
    assert.equal(engine.state, 'open');
    const after = engine.takeOutgoing();
    assert.deepEqual(types(after), [23], 'the held writes, as application data, right after');
    peer.send(after);
    await delay(50);
    assert.equal(peer.received(), 'first;second;third;');
  });

  it('shutdown() produces one close_notify record; the server sees the end; later writes throw', T, async () => {
    const peer = memoryServer();
    const engine = clientEngine();
    await handshakeWhole(engine, peer);
    assert.deepEqual(engine.takeEvents(), [{ type: 'handshake' }]);
    const ended = once(peer.server, 'end');
    engine.shutdown();
    assert.equal(engine.sentCloseNotify, true);
    const out = engine.takeOutgoing();
    assert.deepEqual(types(out), [21], 'one alert record');
    assert.equal(records(out)[0].length + 5, out.length);
    engine.shutdown();
    assert.equal(engine.takeOutgoing().length, 0, 'a second shutdown sends nothing');
    peer.send(out);
    await ended;
    assert.throws(() => engine.write(Buffer.from('late')), { code: 'ERR_SCHANNEL_SESSION_ENDED' });
    assert.equal(engine.state, 'open', 'until the peer’s close_notify');
    peer.server.end();
    engine.feed(await peer.flight());
    assert.deepEqual(engine.takeEvents(), [{ type: 'peer-closed' }]);
    assert.equal(engine.state, 'closed');
  });

  it('takeEvents order: handshake, then peer-closed, when the last flight, data and close_notify come in one feed', T, async () => {
    const peer = memoryServer({}, (server) => server.end('hello and goodbye'));
    const engine = clientEngine();
    engine.start();
    peer.send(engine.takeOutgoing());
    engine.feed(await peer.flight());
    assert.deepEqual(engine.takeEvents(), []);
    peer.send(engine.takeOutgoing());
    const last = await peer.flight();
    assert.ok(types(last).includes(20) && types(last).includes(23) && types(last).at(-1) === 21, `CCS, Finished, data, alert: ${types(last)}`);
    engine.feed(last);
    assert.deepEqual(engine.takeEvents(), [{ type: 'handshake' }, { type: 'peer-closed' }]);
    assert.deepEqual(engine.takeEvents(), [], 'taken once');
    assert.equal(Buffer.concat(engine.takePlaintext()).toString(), 'hello and goodbye');
  });

  it('ALPN through the engine: the server’s choice is the APPLICATION_PROTOCOL attribute', T, async () => {
    const peer = memoryServer({ ALPNProtocols: ['http/1.1'] });
    const engine = clientEngine({ alpnProtocols: ['h2', 'http/1.1'] });
    await handshakeWhole(engine, peer);
    assert.equal(queryContextAttributes(engine.context, 'APPLICATION_PROTOCOL').protocol, 'http/1.1');
    await peer.secure;
    assert.equal(peer.server.alpnProtocol, 'http/1.1');
  });
});

describe('TlsEngine: failure', () => {
  it('garbage after the handshake: state "failed", the error kept and reported once, the engine inert afterwards', T, async () => {
    const peer = memoryServer();
    const engine = clientEngine();
    await handshakeWhole(engine, peer);
    engine.takeEvents();
    const garbage = Buffer.concat([Buffer.from([23, 3, 3, 0, 40]), Buffer.alloc(40, 0xab)]);
    engine.feed(garbage);
    assert.equal(engine.state, 'failed');
    const error = engine.error;
    assert.ok(error instanceof SchannelError, String(error));
    assert.match(error.code, /^SEC_E_/);
    assert.equal(typeof error.status, 'number');
    assert.deepEqual(engine.takeEvents(), [{ type: 'error', error }]);
    engine.feed(Buffer.from('more'));
    assert.equal(engine.state, 'failed');
    assert.equal(engine.error, error, 'the first error is kept');
    assert.deepEqual(engine.takeEvents(), [], 'no second report');
    assert.deepEqual(engine.takePlaintext(), []);
    assert.throws(() => engine.write(Buffer.from('x')), { code: 'ERR_SCHANNEL_SESSION_ENDED' });
    engine.shutdown();
    assert.equal(engine.takeOutgoing().length, 0, 'no close_notify from a failed session');
    engine.destroy();
    assert.equal(engine.state, 'failed', 'destroy keeps the failed state');
  });

  it('a whole record that is not a handshake message (unknown content type, malformed handshake) fails it', T, async () => {
    for (const bytes of [Buffer.from([0x48, 3, 3, 0, 4, 1, 2, 3, 4]), Buffer.from([22, 3, 3, 0, 4, 0xff, 0, 0, 0])]) {
      const engine = clientEngine();
      engine.start();
      engine.takeOutgoing();
      engine.feed(bytes);
      assert.equal(engine.state, 'failed', bytes.toString('hex'));
      assert.ok(engine.error instanceof SchannelError);
      assert.deepEqual(engine.takeEvents().map((e) => e.type), ['error']);
    }
  });

  it('an HTTP answer: failed at once, or waiting for the record length its first five bytes claim, never open', T, async () => {
    const engine = clientEngine();
    engine.start();
    engine.takeOutgoing();
    const answer = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    engine.feed(answer);
    if (engine.state === 'failed') {
      assert.ok(engine.error instanceof SchannelError);
    } else {
      assert.equal(engine.state, 'handshaking');
      assert.equal(engine.missing, 5 + answer.readUInt16BE(3) - answer.length, '"HTTP/" read as a header with length 0x502F');
      assert.deepEqual(engine.takeEvents(), []);
    }
  });
});

describe('runHandshake() over a hand-written transport', () => {
  /** { send, receive } over a memoryServer, counting the calls. */
  function transportFor(peer) {
    const stats = { sends: 0, receives: 0 };
    return {
      stats,
      transport: {
        async send(data) { stats.sends++; peer.send(data); },
        async receive() { stats.receives++; return peer.flight(); },
      },
    };
  }

  it('completes against node’s server; data flows after it', T, async () => {
    const peer = memoryServer({}, (server) => server.pipe(server));
    const engine = clientEngine();
    const { transport, stats } = transportFor(peer);
    await runHandshake(engine, transport);
    assert.equal(engine.state, 'open');
    assert.equal(stats.sends, 2, 'ClientHello, then the client’s Finished flight');
    assert.equal(stats.receives, 2);
    engine.write(Buffer.from('after runHandshake'));
    peer.send(engine.takeOutgoing());
    engine.feed(await peer.flight());
    assert.equal(Buffer.concat(engine.takePlaintext()).toString(), 'after runHandshake');
  });

  it('rejects with ECONNRESET when the transport ends mid-handshake', T, async () => {
    const engine = clientEngine();
    let sent = null;
    await assert.rejects(runHandshake(engine, { send(d) { sent = d; }, async receive() { return null; } }), { code: 'ECONNRESET' });
    assert.deepEqual(types(sent), [22]);
  });

  it('rejects with the engine’s error when the peer answers garbage', T, async () => {
    const engine = clientEngine();
    await assert.rejects(
      runHandshake(engine, { send() {}, async receive() { return Buffer.from('\x15\x03\x03\x00\x02\x02\x28'); } }), // a fatal alert
      (error) => error instanceof SchannelError && error === engine.error,
    );
    assert.equal(engine.state, 'failed');
  });
});
