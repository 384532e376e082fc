// A scriptable raw-TCP peer for the hostile-peer tests: a node `net` server (or client) in this
// process that plays a script of byte-level steps instead of speaking TLS properly. Real TLS bytes
// come from node's own TLS (OpenSSL in node.exe) over an in-memory pair (`serverFlight`,
// `clientFirstFlight`), and the script decides what of them reaches the Schannel side, when, and how
// the connection ends.
//
// A script is an array of steps, run in order on each connection:
//   { read: n }                   wait for n more bytes from the other side
//   { readRecord: true }          wait for one complete TLS record
//   { readFlight: true, quietMs } wait for at least one complete record, then until nothing new
//                                 arrives for quietMs (default 50) and only whole records are held
//   { write: bytes | (ctx) => bytes }
//   { trickle: bytes | (ctx) => bytes, chunk: 1, intervalMs: 1000 }
//                                 write `chunk` bytes every intervalMs until all are sent or the
//                                 connection is gone
//   { delay: ms }
//   { waitClose: true, ms }       wait until the other side closes (or ms passes, default 10 s)
//   { close: true }               half-close (FIN) after what was written, then wait for the close
//   { reset: true }               abort with a TCP RST
//   { tls: { options, onSecure, toClient } }
//                                 play a real TLS server (node's TLS over an in-memory pair) and
//                                 pass its output through toClient(chunk), which may cut it short
//   { run: async (ctx) => {} }    anything else
// ctx: { socket, received (every byte read by the steps so far), last (the bytes of the last read
// step), records(buf), log }. A read step on a connection the other side has closed ends the script;
// the session's `outcome` then says 'peer-closed'.
import { once } from 'node:events';
import net from 'node:net';
import { duplexPair } from 'node:stream';
import tls from 'node:tls';
import { testPki } from './peers.mjs';

export const RecordType = Object.freeze({ CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23 });
export const AlertLevel = Object.freeze({ WARNING: 1, FATAL: 2 });
export const AlertDescription = Object.freeze({ CLOSE_NOTIFY: 0, UNEXPECTED_MESSAGE: 10, HANDSHAKE_FAILURE: 40, PROTOCOL_VERSION: 70, INTERNAL_ERROR: 80 });
/** The largest record payload TLS allows for ciphertext (2^14 + 2048, RFC 5246 6.2.3). */
export const MAX_CIPHERTEXT = 2 ** 14 + 2048;

const STEP_TIMEOUT = 10_000;
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TLS record: 5-byte header (type, version, length) and the payload. */
export function record(type, payload, version = 0x0303) {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeUInt16BE(version, 1);
  header.writeUInt16BE(body.length & 0xffff, 3);
  return Buffer.concat([header, body]);
}

/** An alert record in cleartext (as sent before the handshake has keys). */
export function alertRecord(description, level = AlertLevel.FATAL, version = 0x0303) {
  return record(RecordType.ALERT, [level, description], version);
}

/** A handshake message (type, 24-bit length, body). */
export function handshakeMessage(type, body) {
  const b = Buffer.from(body);
  const header = Buffer.alloc(4);
  header[0] = type;
  header.writeUIntBE(b.length, 1, 3);
  return Buffer.concat([header, b]);
}

/**
 * A minimal ServerHello record claiming `version` (e.g. 0x0300 for SSL 3.0), with the cipher suite
 * TLS_RSA_WITH_AES_128_CBC_SHA and no extensions: what an old server would answer.
 */
export function serverHelloRecord(version, recordVersion = version) {
  const body = Buffer.concat([
    Buffer.from([version >> 8, version & 0xff]),
    Buffer.alloc(32, 0x42), // random
    Buffer.from([32]), Buffer.alloc(32, 0x17), // session id
    Buffer.from([0x00, 0x2f]), // cipher suite
    Buffer.from([0x00]), // compression: null
  ]);
  return record(RecordType.HANDSHAKE, handshakeMessage(2, body), recordVersion);
}

/** The records at the start of `buf`: [{ type, version, length, offset, complete }]. */
export function parseRecords(buf) {
  const out = [];
  for (let offset = 0; offset + 5 <= buf.length;) {
    const length = buf.readUInt16BE(offset + 3);
    const complete = offset + 5 + length <= buf.length;
    out.push({ type: buf[offset], version: buf.readUInt16BE(offset + 1), length, offset, complete });
    if (!complete) break;
    offset += 5 + length;
  }
  return out;
}

/** Bytes taken by whole records at the start of `buf`. */
function wholeRecordBytes(buf) {
  let end = 0;
  for (const r of parseRecords(buf)) if (r.complete) end = r.offset + 5 + r.length;
  return end;
}

// ------------------------------------------------------------------------------------------------
// Sessions: one connection playing one script

class Session {
  constructor(socket, script, label) {
    this.socket = socket;
    this.label = label;
    this.received = Buffer.alloc(0);
    this.last = Buffer.alloc(0);
    this.log = [];
    /** 'completed' | 'peer-closed' | 'error' | 'timeout', once the script has ended. */
    this.outcome = null;
    this.error = null;
    /** When the other side's FIN or RST reached us (performance-free ms timestamps). */
    this.peerClosedAt = null;
    this.peerReset = false;
    this.#inbox = Buffer.alloc(0);
    this.closed = once(socket, 'close').then(() => undefined);
    socket.on('data', (chunk) => { this.#inbox = Buffer.concat([this.#inbox, chunk]); this.#wake(); });
    socket.on('end', () => { this.peerClosedAt ??= Date.now(); this.#wake(); });
    socket.on('error', (error) => {
      if (error.code === 'ECONNRESET') this.peerReset = true;
      this.peerClosedAt ??= Date.now();
      this.#wake();
    });
    socket.on('close', () => { this.peerClosedAt ??= Date.now(); this.#wake(); });
    this.done = this.#play(script);
  }

  #inbox;
  #waiters = new Set();

  #wake() {
    for (const w of [...this.#waiters]) w();
  }

  get gone() {
    return this.peerClosedAt !== null || this.socket.destroyed;
  }

  /** Resolves when `ready()` holds, or with false once the connection is gone / after ms. */
  #until(ready, ms = STEP_TIMEOUT) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = ready();
        if (value !== null && value !== undefined) finish(() => resolve(value));
        else if (this.gone) finish(() => resolve(false));
      };
      const timer = setTimeout(() => finish(() => reject(Object.assign(new Error(`raw peer: step timed out after ${ms} ms`), { code: 'RAW_PEER_TIMEOUT' }))), ms);
      const finish = (settle) => { clearTimeout(timer); this.#waiters.delete(check); settle(); };
      this.#waiters.add(check);
      check();
    });
  }

  #take(n) {
    const taken = this.#inbox.subarray(0, n);
    this.#inbox = this.#inbox.subarray(n);
    this.last = Buffer.from(taken);
    this.received = Buffer.concat([this.received, taken]);
    return this.last;
  }

  async #bytes(value) {
    const bytes = typeof value === 'function' ? await value(this.context) : value;
    return Buffer.from(bytes);
  }

  get context() {
    return { socket: this.socket, received: this.received, last: this.last, records: parseRecords, log: this.log };
  }

  async #step(step) {
    const ms = step.ms ?? STEP_TIMEOUT;
    if (step.read !== undefined) {
      const got = await this.#until(() => (this.#inbox.length >= step.read ? true : null), ms);
      if (!got) return false;
      this.#take(step.read);
    } else if (step.readRecord) {
      const got = await this.#until(() => {
        const first = parseRecords(this.#inbox)[0];
        return first?.complete ? 5 + first.length : null;
      }, ms);
      if (!got) return false;
      this.#take(got);
    } else if (step.readFlight) {
      const quietMs = step.quietMs ?? 50;
      if (!(await this.#until(() => (wholeRecordBytes(this.#inbox) > 0 ? true : null), ms))) return false;
      const deadline = Date.now() + ms;
      for (let size = -1; size !== this.#inbox.length || wholeRecordBytes(this.#inbox) !== this.#inbox.length;) {
        size = this.#inbox.length;
        await delay(quietMs);
        if (this.gone || Date.now() > deadline) break;
      }
      this.#take(wholeRecordBytes(this.#inbox));
    } else if (step.write !== undefined) {
      const bytes = await this.#bytes(step.write);
      if (this.socket.destroyed) return false;
      this.socket.write(bytes);
    } else if (step.trickle !== undefined) {
      const bytes = await this.#bytes(step.trickle);
      const chunk = step.chunk ?? 1;
      for (let at = 0; at < bytes.length; at += chunk) {
        if (this.socket.destroyed || this.gone) return false;
        this.socket.write(bytes.subarray(at, at + chunk));
        this.log.push(`trickled ${Math.min(at + chunk, bytes.length)}/${bytes.length}`);
        await delay(step.intervalMs ?? 1000);
      }
    } else if (step.delay !== undefined) {
      await delay(step.delay);
    } else if (step.waitClose) {
      await this.#until(() => null, ms).catch(() => {});
    } else if (step.close) {
      this.socket.end();
      await Promise.race([this.closed, delay(ms)]);
    } else if (step.reset) {
      this.socket.resetAndDestroy();
    } else if (step.tls) {
      return this.#relayTls(step.tls, ms);
    } else if (step.run) {
      await step.run(this.context);
    } else {
      throw new Error(`raw peer: unknown step ${JSON.stringify(step)}`);
    }
    return true;
  }

  /**
   * Plays a real TLS server: node's TLS (OpenSSL) over an in-memory pair, fed everything the client
   * sends (whatever earlier steps already read comes first). Its output goes through
   * `toClient(chunk, records)`, which returns the bytes to send, or { write, then: 'close' | 'reset' }
   * to send them and end the connection that way. `onSecure(tlsSocket)` runs once its handshake is
   * done. The step ends when the connection does.
   */
  async #relayTls(o, ms) {
    const p = testPki();
    const [wire, theirs] = duplexPair();
    const server = new tls.TLSSocket(theirs, {
      isServer: true,
      secureContext: tls.createSecureContext({
        key: p.leaf.keyPem, cert: p.leaf.certPem + p.intermediate.certPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ...o.options,
      }),
    });
    server.on('error', (error) => this.log.push(`relay server: ${error.message}`));
    server.on('secure', () => o.onSecure?.(server));
    const ended = new Promise((resolve) => {
      const finish = () => { wire.destroy(); server.destroy(); resolve(); };
      this.socket.on('close', finish);
      wire.on('data', (chunk) => {
        if (this.socket.destroyed) return;
        const out = o.toClient ? o.toClient(chunk, parseRecords(chunk)) : chunk;
        if (out === null || out === undefined) return;
        if (Buffer.isBuffer(out) || out instanceof Uint8Array) {
          this.socket.write(out);
          return;
        }
        if (out.write && out.write.length > 0) this.socket.write(out.write);
        this.log.push(`relay: ${out.then} after ${out.write?.length ?? 0} bytes`);
        if (out.then === 'reset') this.socket.resetAndDestroy();
        else this.socket.end();
        finish();
      });
    });
    if (this.received.length > 0) wire.write(this.received);
    const forward = () => {
      if (this.#inbox.length > 0) wire.write(this.#take(this.#inbox.length));
    };
    this.#waiters.add(forward);
    forward();
    await Promise.race([ended, delay(ms)]);
    this.#waiters.delete(forward);
    server.destroy();
    wire.destroy();
    return true;
  }

  async #play(script) {
    try {
      for (const [index, step] of script.entries()) {
        this.log.push(`step ${index}: ${Object.keys(step).join(',')}`);
        if (!(await this.#step(step))) {
          this.outcome = 'peer-closed';
          return this;
        }
      }
      this.outcome = 'completed';
    } catch (error) {
      this.outcome = error.code === 'RAW_PEER_TIMEOUT' ? 'timeout' : 'error';
      this.error = error;
      this.socket.destroy();
    }
    return this;
  }
}

/**
 * A raw TCP server on 127.0.0.1:0 that plays `script` on every connection. Resolves to
 * { port, sessions, nextSession(ms), stop() }.
 */
export async function startRawServer(script) {
  const sessions = [];
  const waiters = new Set();
  const server = net.createServer((socket) => {
    const session = new Session(socket, script, `server#${sessions.length}`);
    sessions.push(session);
    for (const w of [...waiters]) w(session);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  let taken = 0;
  return {
    port: server.address().port,
    server,
    sessions,
    /** The next connection's session (in arrival order). */
    nextSession(ms = STEP_TIMEOUT) {
      const index = taken++;
      if (sessions[index]) return Promise.resolve(sessions[index]);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`raw peer: no connection within ${ms} ms`)); }, ms);
        const check = () => { if (sessions[index]) { clearTimeout(timer); waiters.delete(check); resolve(sessions[index]); } };
        waiters.add(check);
      });
    },
    async stop() {
      for (const s of sessions) s.socket.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A raw TCP client to 127.0.0.1:port playing `script`; resolves to its session once connected. */
export function rawClient(port, script) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(new Session(socket, script, `client:${socket.localPort}`));
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Real TLS bytes from node's own TLS, over an in-memory pair

/** Collects what `end` sends until it has been quiet for quietMs (and holds only whole records). */
async function collectFlight(end, quietMs = 30, maxMs = 5000) {
  const chunks = [];
  end.on('data', (c) => chunks.push(c));
  const started = Date.now();
  for (let last = -1; ;) {
    await delay(quietMs);
    const all = Buffer.concat(chunks);
    if ((all.length > 0 && all.length === last && wholeRecordBytes(all) === all.length) || Date.now() - started > maxMs) return all;
    last = all.length;
  }
}

/**
 * The first flight a node TLS server (OpenSSL) answers `clientHello` with: ServerHello, Certificate,
 * ServerKeyExchange, ServerHelloDone for TLS 1.2. `options` go to tls.createSecureContext (default:
 * the test PKI's leaf and intermediate, TLS 1.2 only).
 */
export async function serverFlight(clientHello, options = {}) {
  const p = testPki();
  const [wire, theirs] = duplexPair();
  const server = new tls.TLSSocket(theirs, {
    isServer: true,
    secureContext: tls.createSecureContext({
      key: p.leaf.keyPem, cert: p.leaf.certPem + p.intermediate.certPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ...options,
    }),
  });
  server.on('error', () => {});
  const flight = collectFlight(wire);
  wire.write(clientHello);
  try {
    return await flight;
  } finally {
    server.destroy();
    wire.destroy();
  }
}

/** A node TLS client's ClientHello (TLS 1.2, SNI localhost), for playing a client. */
export async function clientFirstFlight(options = {}) {
  const [wire, theirs] = duplexPair();
  const client = tls.connect({ socket: theirs, servername: 'localhost', maxVersion: 'TLSv1.2', rejectUnauthorized: false, ...options });
  client.on('error', () => {});
  try {
    return await collectFlight(wire);
  } finally {
    client.destroy();
    wire.destroy();
  }
}
