// Figure 2: the limit. A Schannel client TlsEngine and a Schannel server TlsEngine, handshaked in
// memory (takeOutgoing() of one into feed() of the other, no sockets). Then the same bytes go
//   (a) the package's path, in JS: client.write(chunk) -> takeOutgoingBuffers -> server.feed -> takePlaintext
//   (b) the native loop (benchRecordLoop): EncryptMessage/DecryptMessage in place, no JS in between
// over the same two contexts. A profiling pass of (a) then counts where its time goes: inside the
// native encrypt/decrypt calls (wrapped with a timer) versus the engine's JS, and the bytes copied
// into new JS buffers.
import { PerformanceObserver } from 'node:perf_hooks';
import { schannel, native, nativeContext, benchPki, MiB, nowNs, elapsedSeconds } from './common.mjs';

const { TlsEngine, acquireCredentialsHandle, SchCredFlags } = schannel;

/** A handshaked in-memory pair; throws if the handshake does not finish in a few round trips. */
export function enginePair() {
  const clientCredential = acquireCredentialsHandle({
    use: 'outbound',
    flags: SchCredFlags.MANUAL_CRED_VALIDATION | SchCredFlags.NO_DEFAULT_CREDS,
    minVersion: 'TLSv1.2',
  });
  const serverCredential = acquireCredentialsHandle({ use: 'inbound', pfx: benchPki().leafPfx, passphrase: 'bench' });
  const client = new TlsEngine({ role: 'client', credential: clientCredential, targetName: 'localhost' });
  // The receiving engine may decrypt in place in what it is fed, as a SchannelSocket's engine does
  // in its socket's fresh read buffers: here those bytes are the sender's records, which nothing
  // else reads afterwards.
  const server = new TlsEngine({ role: 'server', credential: serverCredential, mutableInput: true });
  client.start();
  for (let flight = 0; flight < 10 && !(client.state === 'open' && server.state === 'open'); flight++) {
    const toServer = client.takeOutgoing();
    if (toServer.length > 0) server.feed(toServer);
    const toClient = server.takeOutgoing();
    if (toClient.length > 0) client.feed(toClient);
    for (const engine of [client, server]) {
      if (engine.state === 'failed') throw engine.error;
    }
  }
  if (client.state !== 'open' || server.state !== 'open') throw new Error(`in-memory handshake stuck: client ${client.state}, server ${server.state}`);
  client.takeEvents();
  server.takeEvents();
  return {
    client,
    server,
    dispose() {
      client.destroy();
      server.destroy();
      clientCredential.dispose();
      serverCredential.dispose();
    },
  };
}

/** Path (a): bytes through the engines in JS. Returns seconds; checks the byte count and the first chunk. */
function packagePath(pair, total, chunkBytes) {
  const { client, server } = pair;
  const chunk = Buffer.alloc(chunkBytes);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131 + (i >> 8)) & 0xff;
  let received = 0;
  let firstChecked = false;
  const start = nowNs();
  for (let sent = 0; sent < total; sent += chunkBytes) {
    client.write(chunkBytes <= total - sent ? chunk : chunk.subarray(0, total - sent));
    // As a SchannelSocket sends them: piece by piece (a large write spans several record slabs).
    for (const piece of client.takeOutgoingBuffers()) server.feed(piece);
    for (const piece of server.takePlaintext()) {
      if (!firstChecked && piece.length > 0) {
        if (!piece.equals(chunk.subarray(0, piece.length))) throw new Error('package path: plaintext mismatch');
        firstChecked = true;
      }
      received += piece.length;
    }
  }
  const seconds = elapsedSeconds(start);
  if (received !== total) throw new Error(`package path: received ${received} of ${total} bytes`);
  if (server.state !== 'open') throw server.error ?? new Error(`server engine ${server.state}`);
  return seconds;
}

function nativeLoop(pair, total, chunkBytes) {
  const result = native().benchRecordLoop(nativeContext(pair.client.context, 'sender'), nativeContext(pair.server.context, 'receiver'), total, chunkBytes);
  if (result.status !== 0) {
    throw new Error(`benchRecordLoop: ${result.failedFunction} failed with 0x${result.status.toString(16)}`);
  }
  return result;
}

/** Path (a) again with every native message call timed; the share of JS is what is left. */
async function profilePackagePath(pair, total, chunkBytes) {
  const binding = native();
  const names = ['encryptInto', 'decryptInPlace', 'decryptMessage'].filter((n) => typeof binding[n] === 'function');
  const originals = Object.fromEntries(names.map((n) => [n, binding[n]]));
  const calls = Object.fromEntries(names.map((n) => [n, { calls: 0, seconds: 0, bytesIn: 0, bytesOut: 0 }]));
  for (const name of names) {
    const original = originals[name];
    const tally = calls[name];
    binding[name] = function timed(context, data, ...rest) {
      const start = process.hrtime.bigint();
      const result = original.call(this, context, data, ...rest);
      tally.seconds += Number(process.hrtime.bigint() - start) / 1e9;
      tally.calls += 1;
      tally.bytesIn += data.length;
      // Bytes of JS buffers the call allocated and handed back (only decryptMessage, the 1:1 call,
      // still does; the record calls write into memory the caller brings).
      for (const key of ['data', 'extra']) if (result?.[key]) tally.bytesOut += result[key].length;
      return result;
    };
  }
  let gcSeconds = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcSeconds += entry.duration / 1e3;
  });
  observer.observe({ entryTypes: ['gc'] });
  let seconds;
  try {
    seconds = packagePath(pair, total, chunkBytes);
  } finally {
    Object.assign(binding, originals);
  }
  await new Promise((resolve) => setImmediate(resolve)); // gc entries are delivered asynchronously
  observer.disconnect();
  const nativeSeconds = Object.values(calls).reduce((sum, c) => sum + c.seconds, 0);
  return {
    seconds,
    nativeSeconds,
    jsSeconds: seconds - nativeSeconds,
    // Garbage collection, wherever it ran (it can fall inside a native call that allocates).
    gcSeconds,
    calls: Object.fromEntries(Object.entries(calls).filter(([, c]) => c.calls > 0).map(([name, c]) => [name, {
      calls: c.calls,
      seconds: c.seconds,
      microsecondsPerCall: (c.seconds / c.calls) * 1e6,
      bytesIn: c.bytesIn,
      bytesReturned: c.bytesOut,
    }])),
  };
}

/**
 * What allocating a fresh Buffer of `size` bytes and filling it costs in this runtime, in
 * microseconds: the package allocates one record slab per 64 KiB of small writes, or per large write.
 */
function allocationProbe(size, total) {
  const source = Buffer.alloc(size, 1);
  const count = Math.max(8, Math.floor(total / size));
  const start = nowNs();
  for (let i = 0; i < count; i++) source.copy(Buffer.allocUnsafeSlow(size));
  return (elapsedSeconds(start) / count) * 1e6;
}

export async function run({ quick, log }) {
  const total = (quick ? 8 : 64) * MiB;
  const sizes = [16 * 1024, MiB];
  // Small writes show the fixed cost per call, which dominates request/response traffic.
  const small = { chunk: 64, total: quick ? 256 * 1024 : 2 * MiB };
  const pair = enginePair();
  const rows = [];
  try {
    const cases = [...sizes.map((chunk) => ({ chunk, total })), small];
    for (const { chunk, total: bytes } of cases) {
      // Warm up both paths on a slice, then measure (a), (b), (a), (b) and keep each path's best.
      packagePath(pair, Math.min(bytes, 4 * chunk, 2 * MiB), chunk);
      nativeLoop(pair, Math.min(bytes, 4 * chunk, 2 * MiB), chunk);
      const a1 = packagePath(pair, bytes, chunk);
      const b1 = nativeLoop(pair, bytes, chunk);
      const a2 = packagePath(pair, bytes, chunk);
      const b2 = nativeLoop(pair, bytes, chunk);
      const b = b1.nanoseconds <= b2.nanoseconds ? b1 : b2;
      const packageSeconds = Math.min(a1, a2);
      const nativeSeconds = b.nanoseconds / 1e9;
      const profile = await profilePackagePath(pair, Math.min(bytes, quick ? 4 * MiB : 16 * MiB), chunk);
      const row = {
        chunkBytes: chunk,
        totalBytes: bytes,
        packageMBps: bytes / packageSeconds / 1e6,
        nativeMBps: bytes / nativeSeconds / 1e6,
        ratio: nativeSeconds / packageSeconds,
        records: b.records,
        nativeEncryptShare: b.encryptNanoseconds / b.nanoseconds,
        nativeDecryptShare: b.decryptNanoseconds / b.nanoseconds,
        packageMicrosecondsPerWrite: (packageSeconds / Math.ceil(bytes / chunk)) * 1e6,
        nativeMicrosecondsPerChunk: (nativeSeconds / Math.ceil(bytes / chunk)) * 1e6,
        profile,
        bufferAllocMicroseconds: allocationProbe(chunk, Math.min(bytes, 16 * MiB)),
      };
      rows.push(row);
      log(`  record loop ${chunk} B writes: package ${row.packageMBps.toFixed(1)} MB/s, native ${row.nativeMBps.toFixed(1)} MB/s (${(row.ratio * 100).toFixed(0)}%)`);
    }
  } finally {
    pair.dispose();
  }
  return { rows };
}
