// A small step-by-step client handshake driver over a net.Socket, for exercising the low-level API.
// It is NOT the product's engine: it calls initializeSecurityContext in the plainest possible loop
// and counts what it sees, so the tests can assert on the statuses, `missing` and `extra`.
//
// Feeding modes:
//   'whole'     feed everything received so far;
//   'byte'      feed one more byte per call, so most calls see a partial record.
// In every mode, input without one complete record must give SEC_E_INCOMPLETE_MESSAGE, and its
// `missing` count must not over-promise: progress with fewer bytes than it asked for fails an assertion.
//   'coalesced' wait for the server's whole flight (and a short quiet time), then feed it at once;
//               unconsumed input comes back as `extra` and is fed again before waiting for more.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(import.meta.url);
export const schannel = require('../..');
const { initializeSecurityContext, acquireCredentialsHandle, applicationProtocolsBuffer, decryptMessage, encryptMessage, SecStatus } = schannel;

/** What the smoke test proved: stream TLS, SSPI allocates, errors as alerts, validation left to us. */
export const DEFAULT_REQ = ['CONFIDENTIALITY', 'REPLAY_DETECT', 'SEQUENCE_DETECT', 'STREAM', 'ALLOCATE_MEMORY', 'EXTENDED_ERROR', 'MANUAL_CRED_VALIDATION', 'USE_SUPPLIED_CREDS'];
export const CLIENT_FLAGS = ['MANUAL_CRED_VALIDATION', 'NO_DEFAULT_CREDS'];

/** An outbound credential as the smoke test made it; `options` are merged in. */
export function clientCredential(options = {}) {
  return acquireCredentialsHandle({ use: 'outbound', flags: CLIENT_FLAGS, ...options });
}

// ------------------------------------------------------------------------------------------------
// TLS records

/** The records at the start of `buf`: [{ type, version, length, offset, complete }]. */
export function parseRecords(buf) {
  const records = [];
  let offset = 0;
  while (offset + 5 <= buf.length) {
    const length = buf.readUInt16BE(offset + 3);
    const complete = offset + 5 + length <= buf.length;
    records.push({ type: buf[offset], version: buf.readUInt16BE(offset + 1), length, offset, complete });
    if (!complete) break;
    offset += 5 + length;
  }
  return records;
}

/** Whether `buf` holds only complete records. */
export function wholeRecords(buf) {
  const records = parseRecords(buf);
  const last = records.at(-1);
  return last !== undefined && last.complete && last.offset + 5 + last.length === buf.length;
}

/**
 * Whether `buf` ends a TLS 1.2 server flight: the first ends with ServerHelloDone (handshake type 14,
 * in plaintext handshake records), the last is ChangeCipherSpec followed by the encrypted Finished.
 */
function endsTls12Flight(buf) {
  if (!wholeRecords(buf)) return false;
  const records = parseRecords(buf);
  const ccs = records.findIndex((r) => r.type === 20);
  if (ccs !== -1) return records.slice(ccs + 1).some((r) => r.type === 22);
  const handshake = Buffer.concat(records.filter((r) => r.type === 22).map((r) => buf.subarray(r.offset + 5, r.offset + 5 + r.length)));
  for (let at = 0; at + 4 <= handshake.length;) {
    const type = handshake[at];
    const length = handshake.readUIntBE(at + 1, 3);
    if (at + 4 + length > handshake.length) return false;
    if (type === 14) return true;
    at += 4 + length;
  }
  return false;
}

// ------------------------------------------------------------------------------------------------
// Sockets

/** Connects to 127.0.0.1:port; resolves once connected. */
export function connect(port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host }, () => { socket.off('error', reject); resolve(socket); });
    socket.once('error', reject);
  });
}

/** Collects a socket's bytes so the tests can take exactly what they want, when they want. */
export function socketReader(socket) {
  const chunks = [];
  let size = 0;
  let ended = false;
  let error = null;
  let wake = null;
  const notify = () => { const w = wake; wake = null; w?.(); };
  socket.on('data', (c) => { chunks.push(c); size += c.length; notify(); });
  socket.on('end', () => { ended = true; notify(); });
  socket.on('close', () => { ended = true; notify(); });
  socket.on('error', (e) => { error = e; ended = true; notify(); });
  const reader = {
    get size() { return size; },
    get ended() { return ended; },
    get error() { return error; },
    /** Takes up to n bytes (all when n is undefined). */
    take(n = size) {
      const all = Buffer.concat(chunks);
      chunks.length = 0;
      const taken = all.subarray(0, n);
      if (all.length > n) chunks.push(all.subarray(n));
      size = all.length - taken.length;
      return taken;
    },
    peek() { return Buffer.concat(chunks); },
    /** Resolves when more bytes arrive or the socket ends; rejects after ms. */
    wait(ms = 10_000) {
      if (ended) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { wake = null; reject(new Error(`no data within ${ms} ms`)); }, ms);
        wake = () => { clearTimeout(timer); resolve(); };
      });
    },
    /** Resolves after `ms` with no new data (or at the end of the socket). */
    async quiet(ms) {
      for (;;) {
        const before = size;
        await new Promise((r) => setTimeout(r, ms));
        if (size === before || ended) return;
      }
    },
  };
  return reader;
}

// ------------------------------------------------------------------------------------------------
// The handshake

/**
 * Runs a client handshake. Options:
 *   port or socket, credential (default: clientCredential()), targetName ('localhost'; null: no SNI),
 *   contextReq (DEFAULT_REQ), alpn (protocols to offer), output (output buffer specs), mode,
 *   settleMs (coalesced: quiet time before feeding, default 100).
 * Resolves to { context, socket, localPort, reader, credential, first, last, results, statuses, missing,
 *   extraCount, calls, leftover }: `statuses` counts each status name seen, `missing` lists the
 *   SECBUFFER_MISSING counts, `leftover` is what the last call left unconsumed (application data).
 */
export async function clientHandshake(o) {
  const mode = o.mode ?? 'whole';
  assert.ok(['whole', 'byte', 'coalesced'].includes(mode), `unknown mode ${mode}`);
  const socket = o.socket ?? (await connect(o.port));
  const reader = o.reader ?? socketReader(socket);
  const ownCredential = o.credential === undefined;
  const credential = o.credential ?? clientCredential();
  const run = {
    context: null, socket, reader, credential, ownCredential, localPort: socket.localPort, first: null, last: null, results: [],
    statuses: {}, missing: [], extraCount: 0, calls: 0, leftover: null,
  };
  const call = (input) => {
    const params = {
      credential: run.context ? null : credential,
      context: run.context,
      targetName: o.targetName === undefined ? 'localhost' : o.targetName,
      contextReq: o.contextReq ?? DEFAULT_REQ,
      input,
    };
    if (o.output) params.output = o.output;
    run.calls++;
    const r = initializeSecurityContext(params);
    run.statuses[r.statusName] = (run.statuses[r.statusName] ?? 0) + 1;
    run.results.push(r);
    run.first ??= r;
    run.last = r;
    run.context ??= r.context;
    return r;
  };

  try {
    // First call: no input from the server (only the ALPN list, when offered).
    const first = call(o.alpn ? [applicationProtocolsBuffer(o.alpn)] : null);
    assert.equal(first.statusName, 'SEC_I_CONTINUE_NEEDED');
    assert.ok(first.token.length > 0, 'the first call must produce a ClientHello');
    socket.write(first.token);

    let pending = Buffer.alloc(0);
    let promised = null; // { at, missing }: the last SEC_E_INCOMPLETE_MESSAGE's promise
    const more = async () => {
      const timeout = o.readTimeoutMs ?? 10_000;
      while (reader.size === 0) {
        if (reader.ended) throw new Error(`the server closed the connection during the handshake${reader.error ? ` (${reader.error.message})` : ''}`);
        await reader.wait(timeout);
      }
      if (mode === 'byte') {
        pending = Buffer.concat([pending, reader.take(1)]);
      } else if (mode === 'whole') {
        pending = Buffer.concat([pending, reader.take()]);
      } else {
        // coalesced: the whole flight, then a short quiet time so whatever follows it comes along too
        const settle = o.settleMs ?? 100;
        for (;;) {
          const all = Buffer.concat([pending, reader.peek()]);
          if (endsTls12Flight(all) || reader.ended) break;
          // Encrypted handshake records (TLS 1.3) cannot be parsed here: a quiet time ends the flight.
          if (wholeRecords(all) && parseRecords(all).some((r) => r.type === 23)) {
            const before = reader.size;
            await reader.quiet(settle);
            if (reader.size === before) break;
            continue;
          }
          await reader.wait(timeout);
        }
        await reader.quiet(settle);
        pending = Buffer.concat([pending, reader.take()]);
      }
    };

    for (;;) {
      if (pending.length === 0) await more();
      const r = call([{ type: schannel.SecBufferType.TOKEN, data: pending }, { type: schannel.SecBufferType.EMPTY }]);
      if (!parseRecords(pending).some((rec) => rec.complete)) {
        assert.equal(r.statusName, 'SEC_E_INCOMPLETE_MESSAGE', `${pending.length} bytes hold no complete record`);
      }
      if (r.status === SecStatus.SEC_E_INCOMPLETE_MESSAGE) {
        run.missing.push(r.missing);
        if (r.missing > 0) promised = { at: pending.length, missing: r.missing };
        await more();
        continue;
      }
      if (promised) {
        assert.ok(pending.length >= promised.at + promised.missing,
          `SECBUFFER_MISSING promised ${promised.missing} more bytes at ${promised.at}, but ${pending.length} were enough`);
        promised = null;
      }
      if (r.token.length > 0) socket.write(r.token);
      if (r.extra) run.extraCount++;
      pending = r.extra ? Buffer.from(r.extra) : Buffer.alloc(0);
      if (r.status === SecStatus.SEC_E_OK) {
        run.leftover = pending.length > 0 ? pending : null;
        break;
      }
      assert.equal(r.statusName, 'SEC_I_CONTINUE_NEEDED', `unexpected handshake status ${r.statusName}`);
    }
  } catch (err) {
    closeRun(run); // a failed handshake leaves nothing open behind it
    throw err;
  }
  return run;
}

/** Ends a handshake run: context deleted, credential released (when the driver made it), socket destroyed. */
export function closeRun(run) {
  if (!run) return;
  run.socket?.destroy();
  if (run.context && !run.context.deleted) run.context.dispose();
  if (run.ownCredential) run.credential.dispose();
}

// ------------------------------------------------------------------------------------------------
// Application data over an established context

/** Encrypts and writes `data`; resolves once the socket has taken it. */
export function sendEncrypted(run, data) {
  const records = encryptMessage(run.context, data);
  return new Promise((resolve, reject) => run.socket.write(records, (err) => (err ? reject(err) : resolve(records))));
}

/**
 * Reads and decrypts until `until(plaintextSoFar)` is true, the peer sends close_notify, or the
 * socket ends. Resolves to { data, closed, results } (results: every decryptMessage result).
 */
export async function receiveDecrypted(run, { until = (d) => d.length > 0, timeoutMs = 10_000 } = {}) {
  const parts = [];
  const results = [];
  let pending = run.leftover ?? Buffer.alloc(0);
  run.leftover = null;
  let closed = false;
  for (;;) {
    while (pending.length > 0 && !closed) {
      const r = decryptMessage(run.context, pending);
      results.push(r);
      if (r.status === SecStatus.SEC_E_INCOMPLETE_MESSAGE) break;
      if (r.data.length > 0) parts.push(r.data);
      pending = r.extra ? Buffer.from(r.extra) : Buffer.alloc(0);
      if (r.closed) closed = true;
    }
    const data = Buffer.concat(parts);
    if (closed || until(data)) {
      run.leftover = pending.length > 0 ? pending : null;
      return { data, closed, results };
    }
    if (run.reader.size === 0) {
      if (run.reader.ended) return { data, closed, results, ended: true };
      await run.reader.wait(timeoutMs);
    }
    pending = Buffer.concat([pending, run.reader.take()]);
  }
}
