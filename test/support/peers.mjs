// Independent TLS peers for the Schannel tests, started from inside the tests.
//
// - startOpenSslServer / startOpenSslClient: the host's `openssl` (a peer that shares no code with
//   Schannel). Under Wine (SCHANNEL_TEST_RUNTIME=wine) a Windows process cannot start a Linux one, so
//   they go through the loopback peer service (scripts/peer-service.mjs, started by scripts/test.mjs);
//   natively on Windows (SCHANNEL_TEST_RUNTIME=windows) `openssl` is spawned from PATH. When no openssl
//   can be had, opensslUnavailable() gives the reason and the peer tests skip with it.
// - startNodeTlsServer: node's own tls.createServer (OpenSSL inside node.exe), in this process: an
//   independent peer that needs no service.
// - Files for the peers (PEM) go to a per-run directory under test/.generated/, which is mounted at
//   the same path on both sides of Wine (Z:\work\main\... is /work/main/...).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { PeerClient } from '../../scripts/peer-service.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

/** 'wine' (node.exe under Wine, peers through the service), 'windows' (native), or 'unknown'. */
export const runtime = process.env.SCHANNEL_TEST_RUNTIME ?? 'unknown';
export const isWine = runtime === 'wine';
/** The timeout for every network test. */
export const NET_TIMEOUT = 20_000;

// ------------------------------------------------------------------------------------------------
// Certificates and files

let pki;
/**
 * The shared test PKI (root, intermediate, leaves, client), made once per process (RSA keys are
 * slow). Its keys avoid Wine's PFX import bug: see newKey in pki.cjs.
 */
export function testPki() {
  if (!pki) pki = require('./pki.cjs').makeTestPki();
  return pki;
}

let runDir;
/** This run's scratch directory under test/.generated/, removed when the process exits. */
export function tempDir() {
  if (!runDir) {
    runDir = path.join(repoRoot, 'test', '.generated', `run-${process.pid}-${Date.now()}`);
    fs.mkdirSync(runDir, { recursive: true });
    process.once('exit', () => fs.rmSync(runDir, { recursive: true, force: true }));
  }
  return runDir;
}

let fileCounter = 0;
/** Writes PEM text (one string, several concatenated, or an array) to a new file; returns its path. */
export function writePem(name, ...pems) {
  const text = pems.flat().map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
  const file = path.join(tempDir(), `${++fileCounter}-${name}.pem`);
  fs.writeFileSync(file, text);
  return file;
}

// ------------------------------------------------------------------------------------------------
// openssl availability

let availability;
/** null when an openssl peer can be started; otherwise the reason (for t.skip / { skip }). */
export async function opensslUnavailable() {
  availability ??= (async () => {
    if (isWine) {
      if (!PeerClient.available()) return 'Wine: SCHANNEL_PEER_URL is not set (run through scripts/test.mjs, which starts the peer service)';
      try {
        const health = await PeerClient.fromEnv().health();
        return health.programs?.openssl ? null : 'Wine: the peer service found no openssl on the host';
      } catch (err) {
        return `Wine: the peer service did not answer (${err.message})`;
      }
    }
    if (runtime === 'windows') {
      const probe = spawnSync('openssl', ['version'], { encoding: 'utf8', windowsHide: true });
      return probe.error || probe.status !== 0 ? `openssl is not on PATH (${probe.error?.code ?? `exit ${probe.status}`})` : null;
    }
    return `SCHANNEL_TEST_RUNTIME is ${JSON.stringify(runtime)}: run the suite through scripts/test.mjs`;
  })();
  return availability;
}

// ------------------------------------------------------------------------------------------------
// openssl peers

const live = new Set();
const SSERVER_READY = /^ACCEPT\s+\S*:(\d+)\s*$/m;

/** The certificate arguments of s_server/s_client, written to files. */
function certArgs({ cert, key, chain, certFlag = '-cert', keyFlag = '-key' }) {
  const args = [];
  if (cert) args.push(certFlag, writePem('cert', cert));
  if (key) args.push(keyFlag, writePem('key', key));
  if (chain && chain.length > 0) args.push('-cert_chain', writePem('chain', chain));
  return args;
}

async function startViaService(args, ready) {
  const peer = PeerClient.fromEnv();
  const proc = await peer.start('openssl', args, { ready: ready?.source, timeoutMs: 120_000 });
  let final = null;
  return {
    port: proc.port,
    async output() {
      const s = final ?? (await proc.state());
      return s.stdout + s.stderr;
    },
    async waitForOutput(re, ms = 10_000) {
      const s = final ?? (await proc.waitFor(re, ms));
      return s.stdout + s.stderr;
    },
    async write(data) { if (!final) await proc.write(data); },
    async end() { if (!final) await proc.end(); },
    async stop() {
      if (!final) final = await proc.stop().catch((err) => ({ stdout: '', stderr: `stop failed: ${err.message}` }));
      return final.stdout + final.stderr;
    },
  };
}

async function startLocal(args, ready) {
  const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  let text = '';
  const waiters = new Set();
  const notify = () => { for (const w of [...waiters]) w(); };
  child.stdout.on('data', (c) => { text += c.toString('latin1'); notify(); });
  child.stderr.on('data', (c) => { text += c.toString('latin1'); notify(); });
  child.stdin.on('error', () => {});
  const exited = new Promise((resolve) => child.on('close', () => { notify(); resolve(); }));
  child.on('error', (err) => { text += `\nspawn error: ${err.message}`; notify(); });
  const waitFor = (re, ms) => new Promise((resolve) => {
    const check = () => {
      const m = re.exec(text);
      if (m || child.exitCode !== null || child.signalCode !== null) { done(m); }
    };
    const done = (m) => { clearTimeout(timer); waiters.delete(check); resolve(m); };
    const timer = setTimeout(() => done(null), ms);
    waiters.add(check);
    check();
  });
  let port = null;
  if (ready) {
    const m = await waitFor(ready, 10_000);
    if (!m) {
      child.kill();
      throw new Error(`openssl ${args[0]} not ready (/${ready.source}/ not seen):\n${text}`);
    }
    if (m[1] !== undefined) port = Number(m[1]);
  }
  return {
    port,
    async output() { return text; },
    async waitForOutput(re, ms = 10_000) { await waitFor(re, ms); return text; },
    async write(data) { child.stdin.write(data); },
    async end() { child.stdin.end(); },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      return text;
    },
  };
}

async function startOpenSsl(args, ready) {
  const reason = await opensslUnavailable();
  if (reason) throw new Error(`no openssl peer: ${reason}`);
  const handle = isWine ? await startViaService(args, ready) : await startLocal(args, ready);
  live.add(handle);
  const stop = handle.stop;
  handle.stop = async () => { live.delete(handle); return stop(); };
  return handle;
}

/**
 * `openssl s_server` on 127.0.0.1 and a free port.
 * @param {{cert: string, key: string, chain?: string[], args?: string[]}} o PEM text; args are extra
 *   s_server arguments (e.g. ['-www', '-tls1_2', '-alpn', 'h2,http/1.1']).
 * @returns {Promise<{port: number, stop(): Promise<string>, output(): Promise<string>, waitForOutput(re, ms?): Promise<string>, write(data): Promise<void>}>}
 */
export async function startOpenSslServer({ cert, key, chain, args = [] }) {
  return startOpenSsl(['s_server', '-accept', '127.0.0.1:0', ...certArgs({ cert, key, chain }), ...args], SSERVER_READY);
}

/**
 * `openssl s_client -connect 127.0.0.1:PORT` (for server-side tests). Ready once "CONNECTED" is
 * printed (TCP connected), unless `ready` says otherwise.
 */
export async function startOpenSslClient({ port, host = '127.0.0.1', cert, key, chain, args = [], ready = /^CONNECTED/m }) {
  return startOpenSsl(['s_client', '-connect', `${host}:${port}`, ...certArgs({ cert, key, chain }), ...args], ready);
}

// ------------------------------------------------------------------------------------------------
// node's own TLS server, in this process

/**
 * tls.createServer on 127.0.0.1:0. `options` go to tls.createServer (default: the test PKI's leaf with
 * its intermediate, TLS 1.2 only); `onConnection(socket)` runs for each secure connection (default:
 * echo). Resolves to { port, server, connections, tlsErrors, connectionFrom(client), stop() }.
 */
export async function startNodeTlsServer(options = {}, onConnection = (socket) => socket.pipe(socket)) {
  const p = testPki();
  const server = tls.createServer({
    key: p.leaf.keyPem,
    cert: p.leaf.certPem + p.intermediate.certPem,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
    ...options,
  });
  const connections = [];
  const waiters = new Set();
  const byPort = new Map();
  const tlsErrors = [];
  server.on('secureConnection', (socket) => {
    connections.push(socket);
    byPort.set(socket.remotePort, socket); // read now: after a close it may be gone
    socket.on('error', () => {}); // the tests look at what they need; a reset must not crash the run
    onConnection(socket);
    for (const w of [...waiters]) w(socket);
  });
  server.on('tlsClientError', (err) => tlsErrors.push(err));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const handle = {
    port: server.address().port,
    server,
    connections,
    tlsErrors,
    /** The server side of a client (a handshake run, a socket or a local port number), once it is secure. */
    connectionFrom(client, ms = 10_000) {
      const port = typeof client === 'number' ? client : client.localPort;
      if (byPort.has(port)) return Promise.resolve(byPort.get(port));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no secure connection from port ${port} within ${ms} ms`)); }, ms);
        const check = (s) => { if (s === byPort.get(port)) { clearTimeout(timer); waiters.delete(check); resolve(s); } };
        waiters.add(check);
      });
    },
    async stop() {
      live.delete(handle);
      for (const s of connections) s.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
  live.add(handle);
  return handle;
}

/**
 * The first bytes node's tls.connect sends (its ClientHello), captured by a plain TCP listener on
 * 127.0.0.1; `options` go to tls.connect (default: servername 'localhost', TLS 1.2 only).
 */
export async function captureClientHello(options = {}) {
  const net = await import('node:net');
  const listener = net.createServer();
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const hello = new Promise((resolve) => listener.once('connection', (s) => s.once('data', (d) => { resolve(d); s.destroy(); })));
  const client = tls.connect({ port: listener.address().port, host: '127.0.0.1', servername: 'localhost', maxVersion: 'TLSv1.2', ...options });
  client.on('error', () => {});
  const bytes = await hello;
  client.destroy();
  listener.close();
  return bytes;
}

/** Stops every peer this process started and has not stopped yet (for `after` hooks). */
export async function stopAllPeers() {
  await Promise.allSettled([...live].map((h) => h.stop()));
}
