// What every figure of the benchmark shares: the package, the test PKI, the node:tls peer (in a
// worker thread of this same process), client factories for both stacks, and small statistics.
import { createRequire } from 'node:module';
import path from 'node:path';
import tls from 'node:tls';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..');
export const schannel = require(repoRoot);
/** Internals the benchmark reaches for: the native binding and the context wrapper's native object. */
export const { native } = require(path.join(repoRoot, 'dist', 'native.js'));
export const { nativeContext } = require(path.join(repoRoot, 'dist', 'sspi', 'handles.js'));

// ------------------------------------------------------------------------------------------------
// Certificates: a root and a localhost leaf (RSA 2048), made in-process by the test PKI code.

let pki;
export function benchPki() {
  if (!pki) {
    const { issue, pfx } = require(path.join(repoRoot, 'test', 'support', 'pki.cjs'));
    const root = issue({ cn: 'schannel bench root', ca: true, notAfterDays: 2 });
    const leaf = issue({ cn: 'localhost', issuer: root, dns: ['localhost'], ips: ['127.0.0.1'] });
    pki = { rootPem: root.certPem, leafPem: leaf.certPem, leafKeyPem: leaf.keyPem, leafPfx: pfx(leaf, [], 'bench') };
  }
  return pki;
}

// ------------------------------------------------------------------------------------------------
// The peer: node.exe's own tls server (OpenSSL) in a worker thread, so its CPU time is not charged
// to the client's event loop, while everything stays in one process. See peer-worker.mjs.

export class Peer {
  #worker;
  #next = 0;
  #pending = new Map();
  port = 0;

  static async start() {
    const peer = new Peer();
    const { leafPem, leafKeyPem } = benchPki();
    const { port } = await peer.call('listen', { key: leafKeyPem, cert: leafPem });
    peer.port = port;
    return peer;
  }

  constructor() {
    this.#worker = new Worker(path.join(here, 'peer-worker.mjs'));
    this.#worker.on('message', ({ id, result, error }) => {
      const pending = this.#pending.get(id);
      this.#pending.delete(id);
      if (error) pending.reject(new Error(error));
      else pending.resolve(result);
    });
    this.#worker.on('error', (error) => {
      for (const { reject } of this.#pending.values()) reject(error);
      this.#pending.clear();
    });
  }

  call(type, args = {}) {
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, type, ...args });
    });
  }

  /** { connections, secure, resumed, newSessions, sessionLookups } since the last reset. */
  stats() {
    return this.call('stats');
  }
  resetStats() {
    return this.call('reset');
  }
  async stop() {
    await this.call('close');
    await this.#worker.terminate();
  }
}

// ------------------------------------------------------------------------------------------------
// Clients. Both stacks get the same call site: connect to 127.0.0.1, SNI and name check 'localhost',
// the bench root as the only trusted CA, validation on (rejectUnauthorized defaults to true).

export const STACKS = ['schannel', 'node:tls'];

/** The credential flags connect() acquires with (lib/tls/connect.ts). */
export const CLIENT_FLAGS = schannel.SchCredFlags.MANUAL_CRED_VALIDATION | schannel.SchCredFlags.NO_DEFAULT_CREDS |
  schannel.SchCredFlags.USE_STRONG_CRYPTO;

/** The trusted root: the bench PKI's, or the one a parent benchmark process handed down. */
export function rootPem() {
  return process.env.SCHANNEL_BENCH_ROOT_PEM ?? benchPki().rootPem;
}

export function connectOptions(port, extra = {}) {
  return { host: '127.0.0.1', port, servername: 'localhost', ca: [rootPem()], ...extra };
}

let sharedSecureContext;
/**
 * A secondary node:tls variant, 'node:tls+ctx': one tls.createSecureContext() shared by every
 * connection (tls.connect() otherwise builds a new SecureContext, parsing `ca`, per connection).
 */
export function nodeSharedContext() {
  sharedSecureContext ??= tls.createSecureContext({ ca: [rootPem()] });
  return sharedSecureContext;
}

/** Starts a client of `stack`; resolves with the socket once it is secure. */
export function openClient(stack, port, extra = {}) {
  return new Promise((resolve, reject) => {
    const options = connectOptions(port, extra);
    if (stack === 'node:tls+ctx') {
      delete options.ca;
      options.secureContext = nodeSharedContext();
    }
    const socket = stack === 'schannel' ? schannel.connect(options) : tls.connect(options);
    const onError = (error) => reject(error);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/** Destroys a socket and waits for 'close'. */
export async function closeClient(socket) {
  if (socket.destroyed && socket.closed) return;
  const closed = once(socket, 'close');
  socket.destroy();
  await closed;
}

// ------------------------------------------------------------------------------------------------
// Numbers

export const MiB = 1024 * 1024;

export function nowNs() {
  return process.hrtime.bigint();
}
export function elapsedSeconds(startNs) {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function median(values) {
  return percentile(Float64Array.from(values).sort(), 50);
}

export function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function pool(count, concurrency, task) {
  let next = 0;
  const results = new Array(count);
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

export function gc() {
  if (typeof globalThis.gc !== 'function') throw new Error('run node with --expose-gc (npm run bench does)');
  for (let i = 0; i < 3; i++) globalThis.gc();
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
