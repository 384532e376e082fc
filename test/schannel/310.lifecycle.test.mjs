// Handle lifecycles end to end, counted by debugStats(): use after dispose and double dispose on every
// kind of owner, a context that outlives its credential, garbage collection of what was never
// disposed, the addon in worker threads (one that handshakes, one terminated mid-handshake), process
// exit with connections open, and 10,000 sequential connections after which every counter is back
// where it started and memory has not grown beyond a stated bound.
//
// The counters are process-wide (one set of atomics in the addon), so a worker's handles show in the
// main thread's debugStats() too. Under --test-isolation=none other files share this process, so
// every check compares with a snapshot taken at its start rather than with zero.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { setImmediate as turn } from 'node:timers/promises';
import tls from 'node:tls';
import { Worker } from 'node:worker_threads';
import { after, before, describe, it } from 'node:test';
import { collectGarbage as collect, collectUntil, noGc, settledStats, statsAfterClose } from '../support/handles.mjs';
import { NET_TIMEOUT, repoRoot, startNodeTlsServer, stopAllPeers, testPki } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const schannel = require('../..');
const { pfx } = require('../support/pki.cjs');
const {
  TlsEngine, SchannelError, acquireCredentialsHandle, initializeSecurityContext, acceptSecurityContext, deleteSecurityContext,
  encryptMessage, decryptMessage, queryContextAttributes, applyControlToken, SecBufferType, SecStatus, debugStats, clearCredentialCache,
} = schannel;

const gc = globalThis.gc;
const p = testPki();
const serverPfx = pfx(p.leaf, [p.intermediate]);
const CLIENT_FLAGS = ['MANUAL_CRED_VALIDATION', 'NO_DEFAULT_CREDS'];
const CLIENT_REQ = ['CONFIDENTIALITY', 'REPLAY_DETECT', 'SEQUENCE_DETECT', 'STREAM', 'ALLOCATE_MEMORY', 'EXTENDED_ERROR', 'MANUAL_CRED_VALIDATION'];
const SERVER_REQ = ['CONFIDENTIALITY', 'REPLAY_DETECT', 'SEQUENCE_DETECT', 'STREAM', 'ALLOCATE_MEMORY', 'EXTENDED_ERROR'];
const MiB = 1024 * 1024;

const clientCredential = () => acquireCredentialsHandle({ use: 'outbound', flags: CLIENT_FLAGS });
const serverCredential = () => acquireCredentialsHandle({ use: 'inbound', pfx: serverPfx, passphrase: 'test' });

function typed(code, functionName) {
  return (error) => {
    assert.ok(error instanceof SchannelError, `a SchannelError, not ${error?.name}: ${error?.message}`);
    assert.equal(error.code, code);
    if (functionName) assert.equal(error.functionName, functionName);
    return true;
  };
}

/**
 * A Schannel client engine and a Schannel server engine joined in memory: each one's output is the
 * other's input. The handshake and every record cross in the same turn, with no sockets.
 */
function enginePair(clientCred, serverCred) {
  const client = new TlsEngine({ role: 'client', credential: clientCred, targetName: 'localhost' });
  const server = new TlsEngine({ role: 'server', credential: serverCred });
  const pump = () => {
    for (let round = 0; round < 20; round++) {
      const toServer = client.takeOutgoing();
      const toClient = server.takeOutgoing();
      if (toServer.length === 0 && toClient.length === 0) return;
      if (toServer.length > 0) server.feed(toServer);
      if (toClient.length > 0) client.feed(toClient);
    }
  };
  return {
    client,
    server,
    pump,
    handshake() {
      client.start();
      server.start();
      pump();
      assert.equal(client.state, 'open', `client: ${client.error?.message ?? client.state}`);
      assert.equal(server.state, 'open', `server: ${server.error?.message ?? server.state}`);
    },
    /** Sends `data` from one side to the other; returns what arrived. */
    send(from, data) {
      const to = from === client ? server : client;
      from.write(data);
      pump();
      return Buffer.concat(to.takePlaintext());
    },
    destroy() {
      client.destroy();
      server.destroy();
    },
  };
}

/**
 * The same in-memory handshake through the 1:1 calls, so a test can act between two of them. The
 * client passes its credential on the first call only.
 */
function lowLevelHandshake(clientCred, serverCred, { between } = {}) {
  let client = initializeSecurityContext({ credential: clientCred, targetName: 'localhost', contextReq: CLIENT_REQ });
  const clientContext = client.context;
  let serverContext = null;
  let toServer = client.token;
  between?.();
  for (let round = 0; round < 10 && toServer.length > 0; round++) {
    // The server passes its credential on every call: Wine's AcceptSecurityContext refuses a later
    // call without one (SEC_E_INVALID_HANDLE), while InitializeSecurityContext takes null.
    const server = acceptSecurityContext({
      credential: serverCred, context: serverContext, contextReq: SERVER_REQ,
      input: [{ type: SecBufferType.TOKEN, data: toServer }, { type: SecBufferType.EMPTY }],
    });
    serverContext ??= server.context;
    if (server.token.length === 0) break;
    client = initializeSecurityContext({
      credential: null, context: clientContext, targetName: 'localhost', contextReq: CLIENT_REQ,
      input: [{ type: SecBufferType.TOKEN, data: server.token }, { type: SecBufferType.EMPTY }],
    });
    toServer = client.token;
    if (client.status === SecStatus.SEC_E_OK && toServer.length === 0) break;
  }
  assert.equal(client.statusName, 'SEC_E_OK');
  return { clientContext, serverContext };
}

function roundTrip(from, to, text) {
  const records = encryptMessage(from, Buffer.from(text));
  const result = decryptMessage(to, records);
  assert.equal(result.statusName, 'SEC_E_OK');
  return result.data.toString();
}

function memory() {
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, rss: m.rss };
}

const mib = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;

after(stopAllPeers);

// ------------------------------------------------------------------------------------------------

describe('use after dispose, double dispose', () => {
  it('a credential: dispose() twice and Symbol.dispose are no-ops; share() and a first handshake call are SEC_E_INVALID_HANDLE', () => {
    const start = debugStats();
    const credential = clientCredential();
    assert.equal(debugStats().credentials, start.credentials + 1);
    credential.dispose();
    credential.dispose();
    credential[Symbol.dispose]();
    assert.equal(credential.disposed, true);
    assert.deepEqual(debugStats(), start);
    assert.throws(() => credential.share(), typed('SEC_E_INVALID_HANDLE'));
    assert.throws(() => initializeSecurityContext({ credential, targetName: 'localhost', contextReq: CLIENT_REQ }), typed('SEC_E_INVALID_HANDLE', 'InitializeSecurityContextW'));
    assert.throws(() => acceptSecurityContext({ credential, contextReq: SERVER_REQ, input: [{ type: SecBufferType.TOKEN, data: Buffer.alloc(8) }] }), typed('SEC_E_INVALID_HANDLE', 'AcceptSecurityContext'));
    // An engine refuses it: when it takes its own reference (share()), or at its first call (the
    // engine reports failures as its state and error).
    let engineError;
    try {
      const engine = new TlsEngine({ role: 'client', credential, targetName: 'localhost' });
      engine.start();
      assert.equal(engine.state, 'failed');
      engineError = engine.error;
    } catch (error) {
      engineError = error;
    }
    assert.ok(typed('SEC_E_INVALID_HANDLE')(engineError));
    assert.deepEqual(debugStats(), start);
  });

  it('a shared credential: each reference is released on its own, the last one frees it', () => {
    const start = debugStats();
    const first = clientCredential();
    const second = first.share();
    first.dispose();
    assert.equal(second.disposed, false);
    assert.equal(debugStats().credentials, start.credentials + 1, 'the shared reference keeps it');
    const serverCred = serverCredential();
    const { clientContext, serverContext } = lowLevelHandshake(second, serverCred);
    second.dispose();
    second.dispose();
    assert.equal(debugStats().credentials, start.credentials + 2, 'the client context still holds the client credential');
    clientContext.dispose();
    serverContext.dispose();
    serverCred.dispose();
    assert.deepEqual(debugStats(), start);
  });

  it('a context: dispose() twice is a no-op; every call afterwards is SEC_E_INVALID_HANDLE, and so is deleteSecurityContext()', () => {
    const start = debugStats();
    const clientCred = clientCredential();
    const serverCred = serverCredential();
    const { clientContext, serverContext } = lowLevelHandshake(clientCred, serverCred);
    assert.equal(debugStats().contexts, start.contexts + 2);
    clientContext.dispose();
    clientContext.dispose();
    clientContext[Symbol.dispose]();
    assert.equal(clientContext.deleted, true);
    assert.equal(debugStats().contexts, start.contexts + 1);
    const invalid = typed('SEC_E_INVALID_HANDLE');
    assert.throws(() => encryptMessage(clientContext, Buffer.from('x')), invalid);
    assert.throws(() => decryptMessage(clientContext, Buffer.alloc(32)), invalid);
    assert.throws(() => schannel.decryptRecords(clientContext, Buffer.alloc(32)), invalid);
    assert.throws(() => queryContextAttributes(clientContext, 'STREAM_SIZES'), invalid);
    assert.throws(() => applyControlToken(clientContext, 'shutdown'), invalid);
    assert.throws(() => schannel.completeAuthToken(clientContext, []), invalid);
    assert.throws(() => initializeSecurityContext({ credential: null, context: clientContext, targetName: 'localhost', contextReq: CLIENT_REQ, input: [{ type: SecBufferType.TOKEN, data: Buffer.alloc(8) }] }), invalid);
    assert.throws(() => deleteSecurityContext(clientContext), typed('SEC_E_INVALID_HANDLE', 'DeleteSecurityContext'));
    // The peer is untouched by all of this.
    assert.equal(queryContextAttributes(serverContext, 'CONNECTION_INFO').protocolName, 'TLSv1.2');
    deleteSecurityContext(serverContext);
    assert.throws(() => deleteSecurityContext(serverContext), typed('SEC_E_INVALID_HANDLE'));
    serverContext.dispose();
    clientCred.dispose();
    serverCred.dispose();
    assert.deepEqual(debugStats(), start);
  });

  it('an engine destroyed twice, written to after destroy, fed after destroy: a typed error or nothing, never a crash', () => {
    const start = debugStats();
    const clientCred = clientCredential();
    const serverCred = serverCredential();
    const pair = enginePair(clientCred, serverCred);
    pair.handshake();
    pair.client.destroy();
    pair.client.destroy();
    assert.equal(debugStats().contexts, start.contexts + 1);
    assert.throws(() => pair.client.write(Buffer.from('late')), (error) => error instanceof SchannelError && error.code === 'ERR_SCHANNEL_SESSION_ENDED');
    pair.client.feed(Buffer.from([23, 3, 3, 0, 1, 0])); // ignored: the session has ended
    pair.client.shutdown(); // nothing to shut down
    assert.equal(pair.client.takeOutgoing().length, 0);
    pair.server.destroy();
    pair.server.destroy();
    clientCred.dispose();
    serverCred.dispose();
    assert.deepEqual(debugStats(), start);
  });

  it('a socket destroyed twice and a server closed twice release everything once', { timeout: NET_TIMEOUT }, async () => {
    clearCredentialCache();
    const start = await settledStats();
    const server = schannel.createServer({ pfx: serverPfx, passphrase: 'test' }, (socket) => socket.pipe(socket));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    // Wine's Schannel server sends the leaf alone: the intermediate comes with the roots.
    const socket = schannel.connect({ host: '127.0.0.1', port: server.address().port, servername: 'localhost', ca: [p.root.certPem, p.intermediate.certPem] });
    await once(socket, 'secureConnect');
    socket.destroy();
    socket.destroy();
    await once(socket, 'close');
    socket.destroy();
    const [writeError] = await new Promise((resolve) => socket.write('after the end', (...args) => resolve(args)));
    assert.equal(writeError?.code, 'ERR_STREAM_DESTROYED');
    await new Promise((resolve) => server.close(resolve));
    await assert.rejects(new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))), { code: 'ERR_SERVER_NOT_RUNNING' });
    clearCredentialCache();
    assert.deepEqual(await statsAfterClose(start), start); // once the server side has seen the close too
  });
});

// ------------------------------------------------------------------------------------------------

describe('record slabs: memory given back is written again, never while in use', () => {
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  /** Writes `count` chunks of `size` bytes; returns the distinct slabs the records went into. */
  function stream(pair, { count, size, recycle }) {
    const { client, server } = pair;
    const slabs = new Set();
    const sent = [];
    const received = [];
    for (let i = 0; i < count; i++) {
      const chunk = Buffer.alloc(size, i & 0xff);
      chunk.writeUInt32BE(i, 0);
      sent.push(chunk);
      client.write(chunk);
      const pieces = client.takeOutgoingBuffers();
      for (const piece of pieces) {
        slabs.add(piece.buffer);
        server.feed(piece); // decrypted in a copy: the server engine is not told it may write in place
      }
      received.push(...server.takePlaintext());
      if (recycle) client.recycleOutgoing(pieces);
    }
    assert.equal(server.state, 'open', server.error?.message);
    assert.equal(sha(Buffer.concat(received)), sha(Buffer.concat(sent)), 'every byte arrives, in order');
    return slabs;
  }

  it('pieces given back after use: 40 writes of 100 KiB (4 MiB of records) go through two or three slabs, not sixteen', () => {
    const pair = enginePair(clientCredential(), serverCredential());
    try {
      pair.handshake();
      const recycled = stream(pair, { count: 40, size: 100 * 1024, recycle: true });
      assert.ok(recycled.size <= 3, `${recycled.size} slabs`);
      const kept = stream(pair, { count: 40, size: 100 * 1024, recycle: false });
      assert.ok(kept.size >= 14, `without giving back, each slab is new: ${kept.size}`);
    } finally {
      pair.destroy();
    }
  });

  it('a piece still held is never overwritten: records taken and not given back keep their bytes', () => {
    const pair = enginePair(clientCredential(), serverCredential());
    try {
      pair.handshake();
      const { client, server } = pair;
      client.write(Buffer.alloc(200 * 1024, 1));
      const held = client.takeOutgoingBuffers();
      const copy = Buffer.concat(held);
      server.feed(copy);
      for (let i = 0; i < 20; i++) {
        client.write(Buffer.alloc(100 * 1024, 2));
        const pieces = client.takeOutgoingBuffers();
        for (const piece of pieces) server.feed(piece);
        client.recycleOutgoing(pieces);
      }
      assert.ok(Buffer.concat(held).equals(copy), 'the held records are as they were made');
      // takeOutgoing() joins several pieces into one copy; the result is the same bytes.
      assert.equal(server.state, 'open', server.error?.message);
      client.write(Buffer.alloc(600 * 1024, 3));
      const joined = client.takeOutgoing();
      server.takePlaintext();
      server.feed(joined);
      assert.equal(Buffer.concat(server.takePlaintext()).length, 600 * 1024);
    } finally {
      pair.destroy();
    }
  });
});

describe('a context outlives its credential', () => {
  it('both credentials disposed after the handshake: the contexts still encrypt and decrypt both ways; the counters drop only when each context goes', () => {
    const start = debugStats();
    const clientCred = clientCredential();
    const serverCred = serverCredential();
    const pair = enginePair(clientCred, serverCred);
    pair.handshake();
    clientCred.dispose();
    serverCred.dispose();
    assert.equal(clientCred.disposed && serverCred.disposed, true);
    assert.equal(debugStats().credentials, start.credentials + 2, 'each context keeps its credential');
    assert.equal(debugStats().certStores, start.certStores + 1, 'and the server credential keeps its certificate store');
    for (let i = 0; i < 20; i++) {
      assert.equal(pair.send(pair.client, Buffer.from(`ping ${i}`)).toString(), `ping ${i}`);
      assert.equal(pair.send(pair.server, Buffer.from(`pong ${i}`)).toString(), `pong ${i}`);
    }
    const big = Buffer.alloc(100_000, 0x61);
    assert.equal(pair.send(pair.client, big).length, big.length);
    pair.client.destroy();
    assert.equal(debugStats().credentials, start.credentials + 1, 'the client context took its credential with it');
    assert.equal(pair.send(pair.server, Buffer.from('nobody listens')).length, 0);
    pair.server.destroy();
    assert.deepEqual(debugStats(), start, 'the server context took its credential and certificate store with it');
  });

  it('credentials disposed between the first and the second handshake call: the 1:1 calls go on with the contexts alone', () => {
    const start = debugStats();
    const clientCred = clientCredential();
    const serverCred = serverCredential();
    let disposedAt = null;
    const { clientContext, serverContext } = lowLevelHandshake(clientCred, serverCred, {
      between: () => {
        clientCred.dispose();
        disposedAt = debugStats();
      },
    });
    assert.equal(disposedAt.credentials, start.credentials + 2, 'the client context holds its credential; the server one is not used yet');
    serverCred.dispose();
    assert.equal(roundTrip(clientContext, serverContext, 'after the credentials'), 'after the credentials');
    assert.equal(roundTrip(serverContext, clientContext, 'and back'), 'and back');
    clientContext.dispose();
    serverContext.dispose();
    assert.deepEqual(debugStats(), start);
  });

  it('the engine finishes a handshake whose credentials were disposed after the first flight (it holds its own reference)', () => {
    const start = debugStats();
    const clientCred = clientCredential();
    const serverCred = serverCredential();
    const pair = enginePair(clientCred, serverCred);
    pair.client.start();
    pair.server.start();
    pair.server.feed(pair.client.takeOutgoing());
    clientCred.dispose();
    serverCred.dispose();
    try {
      pair.pump();
      assert.equal(pair.client.error, null, pair.client.error?.message);
      assert.equal(pair.server.error, null, pair.server.error?.message);
      assert.equal(pair.client.state, 'open');
      assert.equal(pair.send(pair.client, Buffer.from('made it')).toString(), 'made it');
    } finally {
      pair.destroy();
    }
    assert.deepEqual(debugStats(), start);
  });
});

// ------------------------------------------------------------------------------------------------

describe('garbage collection of what was never disposed', { skip: noGc }, () => {
  it('dropped credentials, contexts (mid-handshake and established) and engines are freed: the counters return to their start', { timeout: 60_000 }, async () => {
    clearCredentialCache();
    const start = await settledStats();
    // In a function of its own, so that no frame of the test still holds the objects.
    const makeAndDrop = () => {
      for (let i = 0; i < 20; i++) {
        clientCredential();
        serverCredential().share();
        initializeSecurityContext({ credential: clientCredential(), targetName: 'localhost', contextReq: CLIENT_REQ });
        const pair = enginePair(clientCredential(), serverCredential());
        pair.handshake();
        pair.send(pair.client, Buffer.from('dropped'));
        lowLevelHandshake(clientCredential(), serverCredential());
      }
      const live = debugStats();
      assert.ok(live.credentials > start.credentials, `credentials are live before GC (${live.credentials})`);
      assert.ok(live.contexts > start.contexts, `contexts are live before GC (${live.contexts})`);
    };
    makeAndDrop();
    const end = await collectUntil(start);
    assert.deepEqual(end, start);
  });

  it('a connect() socket and its server-side peer that were destroyed but never disposed are collected', { timeout: NET_TIMEOUT }, async () => {
    const server = await startNodeTlsServer();
    clearCredentialCache();
    const start = await settledStats();
    const connectAndDrop = async () => {
      for (let i = 0; i < 10; i++) {
        const socket = schannel.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: p.root.certPem });
        await once(socket, 'secureConnect');
        socket.resume(); // the readable side must be read to its end for 'close'
        socket.end();
        await once(socket, 'close');
      }
    };
    await connectAndDrop();
    clearCredentialCache();
    assert.deepEqual(await collectUntil(start), start);
    await server.stop();
  });
});

// ------------------------------------------------------------------------------------------------

/** Runs `source` (CommonJS) in a worker with { root, ...data } as workerData. */
function startWorker(source, data = {}) {
  return new Worker(source, { eval: true, workerData: { root: repoRoot, ...data } });
}

const HANDSHAKE_IN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const schannel = require(workerData.root);
let done = 0;
const results = [];
for (let i = 0; i < workerData.connections; i++) {
  let protocol = null; // read while the socket is live: once closed it answers null, as node:tls's
  const socket = schannel.connect({ host: '127.0.0.1', port: workerData.port, servername: 'localhost', ca: workerData.ca }, () => {
    protocol = socket.getProtocol();
    socket.end('ping ' + i);
  });
  let data = '';
  socket.on('data', (chunk) => { data += chunk; });
  socket.on('error', (error) => parentPort.postMessage({ error: error.code + ': ' + error.message }));
  socket.on('close', () => {
    results.push({ data, protocol, authorized: socket.authorized });
    if (++done === workerData.connections) parentPort.postMessage({ results, supported: schannel.isSupported(), stats: schannel.debugStats() });
  });
}
`;

describe('worker threads', () => {
  let server;
  before(async () => { server = await startNodeTlsServer(); });
  after(() => server?.stop());

  it('a worker loads the package, handshakes and exits; its handles go with its environment', { timeout: NET_TIMEOUT }, async () => {
    const start = await settledStats();
    const worker = startWorker(HANDSHAKE_IN_WORKER, { port: server.port, ca: p.root.certPem, connections: 3 });
    const exited = once(worker, 'exit');
    const [message] = await once(worker, 'message');
    assert.equal(message.error, undefined, message.error);
    assert.equal(message.supported, true);
    assert.deepEqual(message.results.map((r) => r.data).sort(), ['ping 0', 'ping 1', 'ping 2']);
    for (const r of message.results) {
      assert.equal(r.protocol, 'TLSv1.2');
      assert.equal(r.authorized, true);
    }
    assert.equal(message.stats.contexts, start.contexts, 'the worker\'s connections deleted their contexts');
    assert.equal(message.stats.credentials, start.credentials + 1, 'its credential cache holds one credential');
    const [code] = await exited;
    assert.equal(code, 0);
    // The worker's cached credential is freed by its environment's cleanup (Node-API finalizers).
    assert.deepEqual(await (gc ? collectUntil(start) : debugStats()), start);
  });

  it('two workers and the main thread handshake at the same time, each with its own instance data', { timeout: NET_TIMEOUT }, async () => {
    clearCredentialCache();
    const start = await settledStats();
    const workers = [0, 1].map(() => startWorker(HANDSHAKE_IN_WORKER, { port: server.port, ca: p.root.certPem, connections: 5 }));
    const messages = workers.map((w) => once(w, 'message'));
    const exits = workers.map((w) => once(w, 'exit'));
    const mine = await Promise.all([0, 1, 2].map((i) => new Promise((resolve, reject) => {
      const socket = schannel.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: p.root.certPem }, () => socket.end(`main ${i}`));
      let data = '';
      socket.on('data', (chunk) => { data += chunk; });
      socket.on('error', reject);
      socket.on('close', () => resolve(data));
    })));
    assert.deepEqual(mine, ['main 0', 'main 1', 'main 2']);
    for (const [message] of await Promise.all(messages)) {
      assert.equal(message.error, undefined, message.error);
      assert.equal(message.results.length, 5);
      assert.ok(message.results.every((r) => r.data.startsWith('ping ') && r.authorized));
    }
    assert.deepEqual((await Promise.all(exits)).map(([code]) => code), [0, 0]);
    clearCredentialCache();
    assert.deepEqual(await (gc ? collectUntil(start) : debugStats()), start);
  });

  it('a worker terminated while its connect() is mid-handshake: the process survives, the handles are freed', { timeout: NET_TIMEOUT }, async () => {
    const start = await settledStats();
    // A server that takes the ClientHello and never answers: the handshake stays in flight.
    const hellos = [];
    const silent = net.createServer((connection) => {
      connection.on('error', () => {});
      connection.once('data', () => { hellos.push(connection); silent.emit('hello'); });
    });
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const worker = startWorker(`
        const { parentPort, workerData } = require('node:worker_threads');
        const schannel = require(workerData.root);
        const sockets = [];
        for (let i = 0; i < 4; i++) {
          const socket = schannel.connect({ host: '127.0.0.1', port: workerData.port, servername: 'localhost' });
          socket.on('error', (error) => parentPort.postMessage({ error: error.message }));
          sockets.push(socket);
        }
        // An engine pair in the middle of its handshake too, with no socket at all.
        const client = new schannel.TlsEngine({ role: 'client', credential: schannel.acquireCredentialsHandle({ flags: ['MANUAL_CRED_VALIDATION', 'NO_DEFAULT_CREDS'] }), targetName: 'localhost' });
        client.start();
        parentPort.postMessage({ started: true });
        setInterval(() => {}, 1000); // keep the worker alive
      `, { port: silent.address().port });
      const errors = [];
      worker.on('message', (m) => { if (m.error) errors.push(m.error); });
      worker.on('error', (error) => errors.push(`worker error: ${error.message}`));
      while (hellos.length < 4) await once(silent, 'hello');
      const live = debugStats();
      assert.ok(live.contexts >= start.contexts + 5, `the in-flight contexts are counted (${live.contexts})`);
      const started = performance.now();
      const code = await worker.terminate();
      const took = performance.now() - started;
      assert.equal(code, 1, 'terminate() gives exit code 1');
      assert.ok(took < 5000, `terminate() took ${took.toFixed(0)} ms`);
      assert.deepEqual(errors, []);
      assert.deepEqual(await (gc ? collectUntil(start) : debugStats()), start, 'the worker environment\'s cleanup freed its handles');
      // The process is fine: a handshake in the main thread still works.
      const socket = schannel.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: p.root.certPem });
      await once(socket, 'secureConnect');
      socket.destroy();
    } finally {
      for (const c of hellos) c.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

// ------------------------------------------------------------------------------------------------

/** Runs `source` (CommonJS) in a child node.exe; resolves to { code, signal, stdout, stderr, ms }. */
function runChild(source, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', source], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SCHANNEL_ROOT: repoRoot }, windowsHide: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => { child.kill(); reject(new Error(`child did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`)); }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

// Opens 5 Schannel client connections to node:tls, 3 clients of a Schannel server, and one connect()
// stuck in its handshake, writes 'READY <stats>' and then runs `ending`.
const OPEN_CONNECTIONS = (ending) => `
const schannel = require(process.env.SCHANNEL_ROOT);
const tls = require('node:tls');
const net = require('node:net');
const { makeTestPki, pfx } = require(process.env.SCHANNEL_ROOT + '/test/support/pki.cjs');
const p = makeTestPki();
const echo = (socket) => { socket.on('error', () => {}); socket.pipe(socket); };
const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const secure = (options) => new Promise((resolve, reject) => {
  const socket = schannel.connect({ host: '127.0.0.1', servername: 'localhost', ca: [p.root.certPem, p.intermediate.certPem], ...options }, () => resolve(socket));
  socket.on('error', reject);
});
(async () => {
  const nodePort = await listen(tls.createServer({ key: p.leaf.keyPem, cert: p.leaf.certPem + p.intermediate.certPem, maxVersion: 'TLSv1.2' }, echo));
  const schannelPort = await listen(schannel.createServer({ pfx: pfx(p.leaf, [p.intermediate]), passphrase: 'test' }, echo));
  const open = [];
  for (let i = 0; i < 5; i++) open.push(await secure({ port: nodePort }));
  for (let i = 0; i < 3; i++) open.push(await secure({ port: schannelPort }));
  for (const socket of open) socket.write('busy '.repeat(1000));
  const silentPort = await listen(net.createServer((c) => c.on('error', () => {})));
  const stuck = schannel.connect({ host: '127.0.0.1', port: silentPort, servername: 'localhost' });
  stuck.on('error', () => {});
  await new Promise((resolve) => stuck.once('connect', resolve));
  setTimeout(() => {
    console.log('READY ' + JSON.stringify(schannel.debugStats()));
    ${ending}
  }, 100);
})().catch((error) => { console.error('SETUP FAILED', error); process.exit(3); });
`;

describe('process exit with connections open (a child node.exe)', () => {
  it('process.exit(0) with open client, server and mid-handshake connections exits 0 at once, with nothing on stderr', { timeout: 60_000 }, async () => {
    const result = await runChild(OPEN_CONNECTIONS(`globalThis.exitAt = Date.now(); process.on('exit', () => console.log('EXIT after ' + (Date.now() - exitAt) + ' ms')); process.exit(0);`));
    assert.equal(result.stderr, '', result.stderr);
    assert.equal(result.code, 0, `exit code ${result.code} (signal ${result.signal})\n${result.stdout}`);
    const ready = JSON.parse(/^READY (.*)$/m.exec(result.stdout)?.[1] ?? 'null');
    assert.ok(ready && ready.contexts >= 12, `the connections were open at exit: ${result.stdout}`);
    assert.match(result.stdout, /^EXIT after \d+ ms$/m);
  });

  it('an uncaught exception with the same connections open ends in exit code 1 and the error, not a native crash', { timeout: 60_000 }, async () => {
    const result = await runChild(OPEN_CONNECTIONS(`throw new Error('deliberate failure with connections open');`));
    assert.equal(result.code, 1, `exit code ${result.code} (signal ${result.signal})\n${result.stderr}`);
    assert.match(result.stderr, /deliberate failure with connections open/);
    assert.doesNotMatch(result.stderr, /FATAL|Assertion failed|Segmentation|access violation|0xC0000005/i);
  });
});

// ------------------------------------------------------------------------------------------------

// 10,000 connections: a Schannel client engine and a Schannel server engine over an in-memory pair,
// sequentially, each a full TLS 1.2 handshake, one round trip and close_notify both ways. The
// engines are what connect() and createServer() run; leaving out the sockets keeps the run to about
// half a minute under Wine (measured: ~2.4 ms per connection under Wine 10, where connect() to an
// in-process node:tls server takes ~11 ms, i.e. ~110 s for 10,000; the connect() path is run 1,000
// times below).
//
// Memory bounds, measured after a forced GC at connection 1,000 and at the end, over the 9,000
// connections between: heapUsed and external may grow by less than 4 MiB (under 470 bytes a
// connection: a leaked Buffer, record or result object per connection would exceed it), rss by less
// than 48 MiB (under 5.5 KiB a connection: one leaked 16 KiB record buffer, or a leaked Schannel
// context with its GnuTLS session, per connection would exceed it, while Wine's allocator may still
// reserve a few arenas; measured over eight runs: rss -15 to +22 MiB, heap under 1.1 MiB, external 0).
const CONNECTIONS = 10_000;
const BOUND = { heapUsed: 4 * MiB, external: 4 * MiB, rss: 48 * MiB };

describe(`${CONNECTIONS} sequential connections`, () => {
  it(`${CONNECTIONS} Schannel-to-Schannel connections (engines over an in-memory pair): debugStats() returns to its start, memory growth is bounded`, { timeout: 300_000 }, async (t) => {
    const start = await settledStats();
    const clientCred = clientCredential();
    const serverCred = serverCredential();
    let at1k = null;
    const began = performance.now();
    for (let i = 1; i <= CONNECTIONS; i++) {
      const pair = enginePair(clientCred, serverCred);
      pair.handshake();
      const ping = pair.send(pair.client, Buffer.from(`ping ${i}`));
      const pong = pair.send(pair.server, ping);
      if (pong.toString() !== `ping ${i}`) assert.fail(`connection ${i}: ${pong}`);
      pair.client.shutdown();
      pair.server.shutdown();
      pair.pump();
      if (!pair.client.receivedCloseNotify || !pair.server.receivedCloseNotify) assert.fail(`connection ${i}: close_notify not exchanged`);
      pair.destroy();
      if (i % 1000 === 0) {
        // A turn of the event loop every 1,000, so finalizers and the test runner get to run.
        await turn();
        const stats = debugStats();
        if (stats.contexts !== start.contexts) assert.fail(`after ${i}: ${stats.contexts - start.contexts} contexts still live`);
        if (i === 1000) {
          if (gc) await collect();
          at1k = memory();
        }
      }
    }
    const seconds = (performance.now() - began) / 1000;
    clientCred.dispose();
    serverCred.dispose();
    assert.deepEqual(debugStats(), start, 'every handle released, without waiting for GC');
    if (gc) await collect();
    const end = memory();
    const growth = Object.fromEntries(Object.keys(BOUND).map((k) => [k, end[k] - at1k[k]]));
    const report = `${CONNECTIONS} connections in ${seconds.toFixed(1)} s (${((seconds * 1000) / CONNECTIONS).toFixed(2)} ms each); ` +
      `at 1,000: heap ${mib(at1k.heapUsed)}, external ${mib(at1k.external)}, rss ${mib(at1k.rss)}; ` +
      `at ${CONNECTIONS}: heap ${mib(end.heapUsed)}, external ${mib(end.external)}, rss ${mib(end.rss)}; ` +
      `growth: heap ${mib(growth.heapUsed)}, external ${mib(growth.external)}, rss ${mib(growth.rss)}`;
    t.diagnostic(report);
    console.log(`[lifecycle] ${report}`);
    if (!gc) return t.skip(`memory bounds not checked: ${noGc}`);
    for (const [key, bound] of Object.entries(BOUND)) {
      assert.ok(growth[key] < bound, `${key} grew by ${mib(growth[key])} over ${CONNECTIONS - 1000} connections (bound ${mib(bound)})`);
    }
  });

  // connect() itself, socket and certificate validation included, 1,000 times in a row against an
  // in-process node:tls echo server. heap and external are bounded as above; rss by 48 MiB, since
  // node:tls's own sockets in the same Wine process were measured to step up rss by ~11 MiB per
  // 1,000 connections as Wine's heap grows (the handle counters are the exact leak check).
  it('1,000 sequential connect() calls to a node:tls echo server: every counter back to its start, memory growth bounded', { timeout: 120_000 }, async (t) => {
    // Not startNodeTlsServer(): it keeps every connection for the tests that look at them, which
    // would be heap growth of the test's own making.
    const echo = tls.createServer({ key: p.leaf.keyPem, cert: p.leaf.certPem + p.intermediate.certPem, maxVersion: 'TLSv1.2' }, (socket) => {
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    await new Promise((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const server = { port: echo.address().port, stop: () => new Promise((resolve) => echo.close(resolve)) };
    clearCredentialCache();
    const start = await settledStats();
    let at100 = null;
    const began = performance.now();
    try {
      for (let i = 1; i <= 1000; i++) {
        const echoed = await new Promise((resolve, reject) => {
          const socket = schannel.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: p.root.certPem }, () => socket.end(`hello ${i}`));
          let data = '';
          socket.setEncoding('latin1');
          socket.on('data', (chunk) => { data += chunk; });
          socket.on('error', reject);
          socket.on('close', () => resolve(data));
        });
        if (echoed !== `hello ${i}`) assert.fail(`connection ${i}: ${echoed}`);
        if (i === 100) {
          if (gc) await collect();
          at100 = memory();
        }
      }
    } finally {
      await server.stop();
    }
    const seconds = (performance.now() - began) / 1000;
    clearCredentialCache();
    assert.deepEqual(await statsAfterClose(start), start);
    if (gc) await collect();
    const end = memory();
    const growth = { heapUsed: end.heapUsed - at100.heapUsed, external: end.external - at100.external, rss: end.rss - at100.rss };
    const report = `1,000 connect() in ${seconds.toFixed(1)} s; growth from 100 to 1,000: heap ${mib(growth.heapUsed)}, external ${mib(growth.external)}, rss ${mib(growth.rss)}`;
    t.diagnostic(report);
    console.log(`[lifecycle] ${report}`);
    if (!gc) return t.skip(`memory bounds not checked: ${noGc}`);
    const bound = { heapUsed: 4 * MiB, external: 4 * MiB, rss: 48 * MiB };
    for (const [key, limit] of Object.entries(bound)) assert.ok(growth[key] < limit, `${key} grew by ${mib(growth[key])} (bound ${mib(limit)})`);
  });
});
