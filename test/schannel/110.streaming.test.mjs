// SchannelSocket as a stream: bulk data checked by SHA-256, back-pressure both ways, half-close,
// close_notify, and peers that go away at the worst moments (mid-handshake, mid-record). Every
// case that ends abnormally must end in 'error' or 'end' within the test's time, never hang.
import assert from 'node:assert/strict';
import { createHash, pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { opensslUnavailable, startNodeTlsServer, startOpenSslServer, stopAllPeers, testPki } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const schannel = require('../..');

const T = { timeout: 30_000 };
const MiB = 1 << 20;
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = () => createHash('sha256');

const p = testPki();
const ca = [p.root.certPem];
const noOpenssl = await opensslUnavailable();

/** schannel.connect to localhost:port with the test root; resolves once secure. */
async function secureClient(port, options = {}) {
  const socket = schannel.connect({ port, host: 'localhost', ca, ...options });
  await new Promise((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Writes `total` bytes of `chunk`-sized pseudo-random data, honouring 'drain'; returns its hash. */
async function writeAll(stream, total, chunkSize = MiB, onChunk = () => {}) {
  const hash = sha256();
  const base = randomBytes(chunkSize);
  for (let sent = 0, i = 0; sent < total; i++) {
    const chunk = Buffer.from(base.subarray(0, Math.min(chunkSize, total - sent)));
    chunk.writeUInt32BE(i, 0); // every chunk differs, so reordering or duplication changes the hash
    hash.update(chunk);
    sent += chunk.length;
    const more = stream.write(chunk);
    onChunk(sent);
    if (!more) await once(stream, 'drain');
  }
  return hash.digest('hex');
}

/** Occupies every thread-pool thread for about `ms` milliseconds (pbkdf2, calibrated here). */
function busyThreadPool(ms) {
  const probe = performance.now();
  pbkdf2Sync('x', 'y', 20_000, 32, 'sha512');
  const iterations = Math.ceil((ms / (performance.now() - probe)) * 20_000);
  const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Promise.all(Array.from({ length: threads }, () => new Promise((resolve) => pbkdf2('x', 'y', iterations, 32, 'sha512', resolve))));
}

/** Reads until `total` bytes or the end; resolves to { hex, size }. */
function readAll(stream, total = Infinity) {
  return new Promise((resolve, reject) => {
    const hash = sha256();
    let size = 0;
    const done = () => resolve({ hex: hash.digest('hex'), size });
    stream.on('data', (chunk) => {
      hash.update(chunk);
      size += chunk.length;
      if (size >= total) { stream.removeListener('end', done); done(); }
    });
    stream.once('end', done);
    stream.once('error', reject);
  });
}

// ------------------------------------------------------------------------------------------------

describe('bulk data', () => {
  let echo;
  before(async () => { echo = await startNodeTlsServer(); }); // echoes everything
  after(stopAllPeers);

  it('a 64 MiB echo through node.exe tls server comes back with the same SHA-256', { timeout: 60_000 }, async (t) => {
    const TOTAL = 64 * MiB;
    const started = performance.now();
    const socket = await secureClient(echo.port);
    const received = readAll(socket, TOTAL);
    let maxWritable = 0;
    const sent = await writeAll(socket, TOTAL, MiB, () => { maxWritable = Math.max(maxWritable, socket.writableLength); });
    const got = await received;
    const seconds = (performance.now() - started) / 1000;
    socket.destroy();
    assert.equal(got.size, TOTAL);
    assert.equal(got.hex, sent);
    assert.ok(maxWritable <= 2 * MiB, `writableLength stayed small (${maxWritable})`);
    t.diagnostic(`64 MiB echo: ${seconds.toFixed(2)} s (${(128 / seconds).toFixed(1)} MB/s both ways)`);
  });

  it('1 MiB of lines through openssl s_server -rev come back reversed', { ...T, skip: noOpenssl ?? false }, async () => {
    const server = await startOpenSslServer({ cert: p.leaf.certPem, key: p.leaf.keyPem, chain: [p.intermediate.certPem], args: ['-tls1_2', '-rev'] });
    try {
      const socket = await secureClient(server.port);
      const lines = [];
      for (let i = 0; lines.length * 64 < MiB; i++) lines.push(`${String(i).padStart(8, '0')}-${randomBytes(27).toString('hex')}`);
      const expected = lines.map((l) => l.split('').reverse().join('')).join('\n');
      socket.setEncoding('latin1');
      let text = '';
      const complete = new Promise((resolve, reject) => {
        socket.on('data', (d) => { text += d; if (text.length > expected.length) resolve(); });
        socket.once('close', () => reject(new Error(`closed after ${text.length} of ${expected.length + 1} characters`)));
      });
      socket.write(`${lines.join('\n')}\n`);
      await complete;
      socket.destroy();
      assert.equal(createHash('sha256').update(text.trimEnd()).digest('hex'), createHash('sha256').update(expected).digest('hex'));
    } finally {
      await server.stop();
    }
  });
});

describe('back-pressure', () => {
  after(stopAllPeers);

  it('a paused reader stops the transport: buffering stays bounded, the server is held back, all bytes arrive', T, async () => {
    const TOTAL = 48 * MiB;
    let serverSent = 0;
    let serverHash;
    let go;
    const started = new Promise((resolve) => { go = resolve; });
    const server = await startNodeTlsServer({}, (socket) => {
      // Waits for the client's word, so the stream starts only once the client is secure.
      socket.once('data', async () => {
        go();
        serverHash = await writeAll(socket, TOTAL, 64 * 1024, (n) => { serverSent = n; });
        socket.end();
      });
    });
    const socket = await secureClient(server.port);
    socket.pause();
    socket.write('go');
    await started;
    const samples = [];
    for (let i = 0; i < 8; i++) {
      await delay(150);
      samples.push({ sent: serverSent, buffered: socket.readableLength, read: socket.bytesRead });
    }
    const last = samples.at(-1);
    assert.ok(last.sent < TOTAL / 2, `the server was held back (${last.sent} of ${TOTAL} sent)`);
    assert.ok(last.buffered <= 1 * MiB, `readableLength bounded (${last.buffered})`);
    assert.equal(samples.at(-2).read, last.read, 'the transport stopped reading');
    const got = await readAll(socket.resume());
    assert.equal(got.size, TOTAL);
    assert.equal(got.hex, serverHash);
  });

  it('data arriving while the certificate is validated is bounded too (validation held up ~1 s)', T, async (t) => {
    // The server streams as soon as its side of the handshake is done, while the client still
    // validates the chain on the thread pool. The pool is kept busy for about a second (as a slow
    // revocation or AIA fetch would keep it on Windows), and nobody reads on the client meanwhile.
    const TOTAL = 48 * MiB;
    let serverHash;
    let serverSent = 0;
    const server = await startNodeTlsServer({}, async (socket) => {
      serverHash = await writeAll(socket, TOTAL, 64 * 1024, (n) => { serverSent = n; });
      socket.end();
    });
    const socket = schannel.connect({ port: server.port, host: 'localhost', ca });
    socket.pause();
    let busy;
    socket.once('connect', () => { busy = busyThreadPool(1000); });
    await once(socket, 'secureConnect');
    await busy;
    await delay(300);
    const buffered = socket.readableLength;
    const sentThen = serverSent;
    t.diagnostic(`after validation: readableLength ${buffered}, server sent ${sentThen}`);
    const got = await readAll(socket.resume());
    assert.equal(got.size, TOTAL);
    assert.equal(got.hex, serverHash);
    assert.ok(buffered <= 1 * MiB, `readableLength ${buffered} bytes after validation (server had sent ${sentThen})`);
  });

  it('a server that does not read holds the writer back: write() returns false, callbacks stop, then everything arrives', T, async () => {
    const TOTAL = 32 * MiB;
    let peer;
    const arrived = { size: 0, hash: sha256() };
    const server = await startNodeTlsServer({}, (socket) => {
      peer = socket;
      socket.pause();
      socket.on('data', (d) => { arrived.size += d.length; arrived.hash.update(d); });
    });
    const socket = await secureClient(server.port);
    let accepted = 0;
    let maxWritable = 0;
    let refused = 0;
    const hash = sha256();
    const base = randomBytes(64 * 1024);
    let written = 0;
    const writer = (async () => {
      for (let i = 0; written < TOTAL; i++) {
        const chunk = Buffer.from(base);
        chunk.writeUInt32BE(i, 0);
        hash.update(chunk);
        written += chunk.length;
        const more = socket.write(chunk, () => { accepted += chunk.length; });
        maxWritable = Math.max(maxWritable, socket.writableLength);
        if (!more) { refused++; await once(socket, 'drain'); }
      }
    })();
    await delay(600);
    const stalledAt = written;
    await delay(300);
    assert.equal(written, stalledAt, 'no progress while the server does not read');
    assert.ok(written < TOTAL / 2, `held back after ${written} bytes`);
    assert.ok(refused >= 1, 'write() returned false');
    assert.ok(maxWritable <= 1 * MiB, `writableLength bounded (${maxWritable})`);
    assert.ok(accepted <= written);
    peer.resume();
    await writer;
    while (arrived.size < TOTAL) await once(peer, 'data');
    socket.destroy();
    assert.equal(arrived.size, TOTAL);
    assert.equal(arrived.hash.digest('hex'), hash.digest('hex'));
    assert.equal(accepted, TOTAL, 'every write callback ran');
  });
});

describe('half-close and close_notify', () => {
  after(stopAllPeers);

  it('client end() after writing: the server (half-open) keeps sending, the client reads until the server ends', T, async () => {
    const server = await startNodeTlsServer({ allowHalfOpen: true }, (socket) => {
      let got = '';
      socket.setEncoding('latin1');
      socket.on('data', (d) => { got += d; });
      socket.on('end', async () => {
        socket.write(`you said ${got};`);
        await delay(100);
        socket.write('and more;');
        socket.end('bye');
      });
    });
    const socket = await secureClient(server.port);
    const events = [];
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => { text += d; });
    socket.on('finish', () => events.push('finish'));
    socket.on('end', () => events.push('end'));
    socket.end('hello');
    await once(socket, 'close');
    assert.equal(text, 'you said hello;and more;bye');
    assert.deepEqual(events, ['finish', 'end']);
  });

  it('server ends first: the client (allowHalfOpen) gets "end", still writes, and the server reads it all, as with node:tls', T, async () => {
    let resolveGot;
    const server = await startNodeTlsServer({ allowHalfOpen: true }, (socket) => {
      let got = '';
      socket.setEncoding('latin1');
      socket.on('data', (d) => { got += d; });
      socket.on('end', () => resolveGot(got));
      setTimeout(() => socket.end('server done'), 100);
    });
    for (const connectFn of [tls.connect, schannel.connect]) {
      const name = connectFn === tls.connect ? 'node:tls' : 'schannel';
      const got = new Promise((resolve) => { resolveGot = resolve; });
      const socket = connectFn({ port: server.port, host: 'localhost', ca, allowHalfOpen: true });
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (d) => { text += d; });
      let writeError = null;
      socket.on('error', (e) => { writeError = e; });
      await once(socket, 'end');
      assert.equal(text, 'server done', name);
      await new Promise((resolve) => socket.write('after your end;', (e) => { writeError ??= e; resolve(); }));
      socket.end('last');
      const serverGot = await Promise.race([got, delay(5000).then(() => '(nothing within 5 s)')]);
      socket.destroy();
      assert.equal(writeError, null, `${name}: ${writeError?.message}`);
      assert.equal(serverGot, 'after your end;last', name);
    }
  });

  it('the server ends while 8 MiB of our writes are still queued: the client (not half-open) sends them all, then its close_notify, as node:tls', T, async () => {
    // The server's close_notify and FIN arrive while most chunks wait in the client's writable
    // buffer. Ending because the peer ended must come after those writes: a transport that shut
    // its own writable side on the FIN would drop them (EPIPE).
    let resolveGot;
    const server = await startNodeTlsServer({ allowHalfOpen: true }, (socket) => {
      const received = readAll(socket);
      socket.end();
      received.then((outcome) => resolveGot(outcome), (error) => resolveGot({ error: error.message }));
    });
    for (const connectFn of [tls.connect, schannel.connect]) {
      const name = connectFn === tls.connect ? 'node:tls' : 'schannel';
      const got = new Promise((resolve) => { resolveGot = resolve; });
      const socket = connectFn({ port: server.port, host: 'localhost', ca });
      let writeError = null;
      socket.on('error', (e) => { writeError ??= e; });
      await once(socket, 'secureConnect');
      socket.resume(); // reads the server's end, so that this side ends after its writes
      const hash = sha256();
      const base = randomBytes(64 * 1024);
      for (let i = 0; i < 128; i++) {
        const chunk = Buffer.from(base);
        chunk.writeUInt32BE(i, 0);
        hash.update(chunk);
        socket.write(chunk, (e) => { if (e) writeError ??= e; });
      }
      const serverGot = await Promise.race([got, delay(20_000).then(() => ({ error: 'nothing within 20 s' }))]);
      socket.destroy();
      assert.equal(writeError, null, `${name}: ${writeError?.message}`);
      assert.deepEqual(serverGot, { hex: hash.digest('hex'), size: 8 * MiB }, name);
    }
  });

  it('close_notify both ways: the server sees "end" for ours, we see "end" for the server’s', T, async () => {
    let serverEnded;
    const server = await startNodeTlsServer({ allowHalfOpen: true }, (socket) => {
      serverEnded = once(socket, 'end');
      socket.resume();
    });
    const socket = await secureClient(server.port);
    const peer = await server.connectionFrom(socket.localPort);
    socket.end();
    await serverEnded;
    assert.equal(peer.readableEnded, true, 'server read our close_notify as the end');
    const ended = once(socket, 'end');
    socket.resume();
    peer.end();
    await ended;
    assert.equal(socket.readableEnded, true);
  });

  it('a client that never reads: end() after the handshake ends in "close" once the server ends too, as node:tls (net.Socket reads its EOF)', T, async () => {
    const server = await startNodeTlsServer({}, (socket) => {
      socket.resume();
      socket.on('end', () => socket.end());
    });
    for (const connectFn of [tls.connect, schannel.connect]) {
      const socket = connectFn({ port: server.port, host: 'localhost', ca });
      await once(socket, 'secureConnect');
      const closed = once(socket, 'close');
      socket.end();
      const outcome = await Promise.race([closed.then(() => 'close'), delay(5000).then(() => 'no close in 5 s')]);
      socket.destroy();
      assert.equal(outcome, 'close', connectFn === tls.connect ? 'node:tls' : 'schannel');
      assert.equal(socket.readableEnded, true);
    }
  });

  it('a server that writes and closes right after the handshake: the data, then "end" (as node:tls), not an error', T, async () => {
    // The client's certificate validation is held up a little (busy thread pool, as a revocation
    // fetch would on Windows), so the server's data, close_notify and FIN all arrive before it ends.
    const server = await startNodeTlsServer({}, (socket) => socket.end('banner'));
    for (const connectFn of [tls.connect, schannel.connect]) {
      const socket = connectFn({ port: server.port, host: 'localhost', ca });
      let busy = Promise.resolve();
      socket.once('connect', () => { busy = busyThreadPool(300); });
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (d) => { text += d; });
      const outcome = await new Promise((resolve) => {
        socket.once('end', () => resolve('end'));
        socket.once('error', (e) => resolve(`error ${e.code}: ${e.message}`));
      });
      socket.destroy();
      await busy;
      assert.equal(outcome, 'end', connectFn === tls.connect ? 'node:tls' : 'schannel');
      assert.equal(text, 'banner');
    }
  });

  it('writes made before secureConnect are delivered after it, in order', T, async () => {
    let got = '';
    let gotIt;
    const all = new Promise((resolve) => { gotIt = resolve; });
    const server = await startNodeTlsServer({}, (socket) => {
      socket.setEncoding('latin1');
      socket.on('data', (d) => { got += d; if (got.endsWith('three')) gotIt(); });
    });
    const socket = schannel.connect({ port: server.port, host: 'localhost', ca });
    const callbacks = [];
    let secureAt = -1;
    socket.once('secureConnect', () => { secureAt = callbacks.length; });
    socket.write('one,', () => callbacks.push(1));
    socket.write('two,', () => callbacks.push(2));
    socket.cork();
    socket.write('thr');
    socket.write('ee', () => callbacks.push(3));
    socket.uncork();
    assert.equal(socket.connecting, true);
    await all;
    socket.destroy();
    assert.equal(got, 'one,two,three');
    assert.equal(secureAt, 0, 'no write callback before secureConnect');
    assert.deepEqual(callbacks, [1, 2, 3]);
  });
});

describe('peers that go away', () => {
  const servers = [];
  after(async () => {
    for (const s of servers) s.close();
    await stopAllPeers();
  });
  const rawServer = async (onConnection) => {
    const server = net.createServer((s) => { s.on('error', () => {}); onConnection(s); });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return server.address().port;
  };

  /** 'end' | 'error CODE', or a failure after `ms`. */
  function outcome(socket, ms = 10_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`neither 'error' nor 'end' within ${ms} ms`)), ms);
      socket.once('end', () => { clearTimeout(timer); resolve('end'); });
      socket.once('error', (e) => { clearTimeout(timer); resolve(`error ${e.code}`); });
    });
  }

  it('a peer that reads the ClientHello and closes: "error" ECONNRESET promptly, no secureConnect', T, async () => {
    let hello = null;
    const port = await rawServer((s) => s.once('data', (d) => { hello = d; s.destroy(); }));
    const started = Date.now();
    const socket = schannel.connect({ port, host: 'localhost', ca });
    let secure = false;
    socket.on('secureConnect', () => { secure = true; });
    const result = await outcome(socket);
    assert.equal(result, 'error ECONNRESET');
    assert.equal(secure, false);
    assert.ok(Date.now() - started < 5000);
    assert.equal(hello[0], 22, 'it was sent a handshake record');
  });

  it('a peer that resets the connection after the ClientHello: "error" ECONNRESET', T, async () => {
    const port = await rawServer((s) => s.once('data', () => s.resetAndDestroy()));
    const socket = schannel.connect({ port, host: 'localhost', ca });
    assert.equal(await outcome(socket), 'error ECONNRESET');
  });

  it('a plain-HTTP server on the port (answers 400 and closes): "error", not a hang', T, async () => {
    const port = await rawServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')));
    const socket = schannel.connect({ port, host: 'localhost', ca });
    let secure = false;
    socket.on('secureConnect', () => { secure = true; });
    assert.match(await outcome(socket), /^error /);
    assert.equal(secure, false);
  });

  it('a peer that cuts the stream in the middle of a record after the handshake: "end" or "error", never a hang', T, async () => {
    const upstream = await startNodeTlsServer({}, (socket) => {
      socket.once('data', () => { for (let i = 0; i < 8; i++) socket.write(randomBytes(16 * 1024)); });
    });
    for (const cut of ['fin', 'reset']) {
      let forwarded = 0;
      // A TCP proxy: it forwards the handshake and the first 20 000 bytes of the server's
      // application data, then stops in the middle of a record.
      const port = await rawServer((client) => {
        const up = net.connect(upstream.port, '127.0.0.1');
        up.on('error', () => {});
        client.pipe(up);
        let applicationData = false;
        let budget = 20_000;
        up.on('data', (d) => {
          if (!applicationData) {
            const at = d.indexOf(Buffer.from([23, 3, 3]));
            if (at === -1) { client.write(d); return; }
            applicationData = true;
            client.write(d.subarray(0, at));
            d = d.subarray(at);
          }
          const part = d.subarray(0, budget);
          client.write(part);
          forwarded += part.length;
          budget -= part.length;
          if (budget === 0) {
            up.destroy();
            if (cut === 'fin') client.end(); else client.resetAndDestroy();
          }
        });
      });
      const socket = await secureClient(port);
      let received = 0;
      socket.on('data', (d) => { received += d.length; });
      socket.write('send');
      const result = await outcome(socket);
      socket.destroy();
      assert.ok(result === 'end' || result.startsWith('error '), `${cut}: ${result}`);
      if (cut === 'reset') assert.equal(result, 'error ECONNRESET');
      assert.ok(forwarded === 20_000, `${cut}: the proxy cut the stream (${forwarded})`);
      assert.ok(received < 20_000, `${cut}: the partial record was not delivered as data (${received})`);
    }
  });
});
