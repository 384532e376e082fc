// EncryptMessage / DecryptMessage in stream mode: bulk round trips through two echo servers, record
// splitting, several records in one input, a record split across reads, and the empty cases.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { clientHandshake, closeRun, parseRecords, receiveDecrypted, schannel, sendEncrypted } from '../support/handshake.mjs';
import { isWine, NET_TIMEOUT, opensslUnavailable, startNodeTlsServer, startOpenSslServer, stopAllPeers, testPki } from '../support/peers.mjs';

const { decryptMessage, encryptMessage, encryptMessageInto, encryptedSizeBound, queryContextAttributes, SecStatus } = schannel;
const MiB = 1024 * 1024;
const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

/** Waits until the reader holds `count` complete records; returns exactly those bytes (and any more). */
async function takeRecords(run, count) {
  for (;;) {
    const records = parseRecords(run.reader.peek());
    if (records.filter((r) => r.complete).length >= count) return run.reader.take();
    await run.reader.wait();
  }
}

describe('messages through node.exe tls echo server', () => {
  let server;
  before(async () => { server = await startNodeTlsServer({}); }, { timeout: NET_TIMEOUT });
  after(stopAllPeers);

  it('1 MiB round trip, checked by SHA-256', { timeout: NET_TIMEOUT }, async () => {
    const run = await clientHandshake({ port: server.port });
    try {
      const data = crypto.randomBytes(MiB);
      await sendEncrypted(run, data);
      const echoed = await receiveDecrypted(run, { until: (d) => d.length >= MiB });
      assert.equal(echoed.data.length, MiB);
      assert.equal(sha256(echoed.data), sha256(data));
    } finally {
      closeRun(run);
    }
  });

  it('encryptMessageInto writes the same records into the caller\'s buffer at an offset, within encryptedSizeBound', { timeout: NET_TIMEOUT }, async () => {
    const run = await clientHandshake({ port: server.port });
    try {
      const { maximumMessage, header, trailer } = queryContextAttributes(run.context, 'STREAM_SIZES');
      const data = crypto.randomBytes(maximumMessage + 77);
      const bound = encryptedSizeBound(run.context, data.length);
      assert.equal(bound, data.length + 2 * (header + trailer));
      assert.equal(encryptedSizeBound(run.context, 0), 0);
      const out = Buffer.alloc(bound + 10, 0xee);
      const written = encryptMessageInto(run.context, data, out, 10);
      assert.ok(written > data.length && written <= bound, `${written} bytes for ${data.length}`);
      assert.ok(out.subarray(0, 10).every((b) => b === 0xee), 'nothing before the offset is touched');
      const parsed = parseRecords(out.subarray(10, 10 + written));
      assert.equal(parsed.length, 2);
      assert.ok(parsed.every((r) => r.complete && r.type === 23));
      // One byte less room than the bound is refused before anything is written.
      const tight = Buffer.alloc(bound - 1, 0xee);
      assert.throws(() => encryptMessageInto(run.context, data, tight), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
      assert.ok(tight.every((b) => b === 0xee));
      run.socket.write(out.subarray(10, 10 + written));
      const echoed = await receiveDecrypted(run, { until: (d) => d.length >= data.length });
      assert.equal(sha256(echoed.data), sha256(data));
    } finally {
      closeRun(run);
    }
  });

  it('encryptMessage splits at maximumMessage into back-to-back records', { timeout: NET_TIMEOUT }, async () => {
    const run = await clientHandshake({ port: server.port });
    try {
      const { maximumMessage, header } = queryContextAttributes(run.context, 'STREAM_SIZES');
      const data = crypto.randomBytes(2 * maximumMessage + 1000);
      const records = encryptMessage(run.context, data);
      const parsed = parseRecords(records);
      assert.equal(parsed.length, 3);
      assert.ok(parsed.every((r) => r.complete && r.type === 23 && r.version === 0x0303), 'application_data records, TLS 1.2');
      const end = parsed.at(-1);
      assert.equal(end.offset + header + end.length, records.length, 'nothing but whole records');
      assert.equal(parsed[0].length, parsed[1].length, 'the first two are full');
      assert.ok(parsed[2].length < parsed[0].length && parsed[2].length > 1000);
      run.socket.write(records);
      const echoed = await receiveDecrypted(run, { until: (d) => d.length >= data.length });
      assert.equal(sha256(echoed.data), sha256(data));
    } finally {
      closeRun(run);
    }
  });

  it('decrypts several records given at once, one per call, the rest coming back as extra', { timeout: NET_TIMEOUT }, async () => {
    const run = await clientHandshake({ port: server.port });
    try {
      const peer = await server.connectionFrom(run);
      peer.unpipe(peer);
      // One write at a time: writes queued in the same tick may share one TLS record.
      for (const part of ['one', 'two', 'three']) await new Promise((resolve) => peer.write(part, resolve));
      let input = await takeRecords(run, 3);
      const total = input.length;
      const results = [];
      while (input) {
        const r = decryptMessage(run.context, input);
        results.push(r);
        input = r.extra;
      }
      assert.deepEqual(results.map((r) => r.statusName), ['SEC_E_OK', 'SEC_E_OK', 'SEC_E_OK']);
      assert.deepEqual(results.map((r) => r.data.toString()), ['one', 'two', 'three']);
      assert.ok(results[0].extra && results[1].extra);
      assert.equal(results[2].extra, null);
      assert.equal(results.reduce((n, r) => n + r.consumed, 0), total);
    } finally {
      closeRun(run);
    }
  });

  it('a record split across reads: SEC_E_INCOMPLETE_MESSAGE with the exact missing count, then the data', { timeout: NET_TIMEOUT }, async () => {
    const run = await clientHandshake({ port: server.port });
    try {
      await sendEncrypted(run, Buffer.alloc(100, 0x61));
      const record = await takeRecords(run, 1);
      assert.equal(parseRecords(record).length, 1);
      const head = decryptMessage(run.context, record.subarray(0, 10));
      assert.equal(head.status, SecStatus.SEC_E_INCOMPLETE_MESSAGE);
      assert.equal(head.consumed, 0);
      assert.equal(head.missing, record.length - 10, 'SECBUFFER_MISSING: the bytes still needed');
      const short = decryptMessage(run.context, record.subarray(0, 3));
      assert.equal(short.status, SecStatus.SEC_E_INCOMPLETE_MESSAGE);
      assert.ok(short.missing >= 0 && short.missing <= record.length - 3, `missing ${short.missing} never over-promises`);
      const whole = decryptMessage(run.context, record);
      assert.equal(whole.statusName, 'SEC_E_OK');
      assert.deepEqual(whole.data, Buffer.alloc(100, 0x61));
    } finally {
      closeRun(run);
    }
  });

  it('an empty write encrypts to nothing or to records the peer accepts, and the stream goes on', { timeout: NET_TIMEOUT }, async (t) => {
    const run = await clientHandshake({ port: server.port });
    try {
      let records;
      try {
        records = encryptMessage(run.context, Buffer.alloc(0));
      } catch (err) {
        if (isWine && err.code === 'SEC_E_INTERNAL_ERROR') {
          return t.skip('Wine: EncryptMessage of an empty SECBUFFER_DATA returns SEC_E_INTERNAL_ERROR (0x80090304): its GnuTLS send refuses 0 bytes');
        }
        throw err;
      }
      assert.ok(records.length === 0 || parseRecords(records).every((r) => r.complete && r.type === 23));
      run.socket.write(records);
      await sendEncrypted(run, Buffer.from('after empty'));
      assert.equal((await receiveDecrypted(run, { until: (d) => d.length >= 11 })).data.toString(), 'after empty');
    } finally {
      closeRun(run);
    }
  });

  it('should handle abuse without crashing: decryptMessage of zero bytes (in a child process)', { timeout: NET_TIMEOUT }, async () => {
    // Run where a crash cannot take the suite down with it: a child node.exe does a handshake
    // with its own tls server and then decrypts an empty buffer.
    const support = new URL('../support/', import.meta.url).href;
    const script = `
      const { clientHandshake, closeRun, schannel } = await import(${JSON.stringify(`${support}handshake.mjs`)});
      const { startNodeTlsServer, stopAllPeers } = await import(${JSON.stringify(`${support}peers.mjs`)});
      const server = await startNodeTlsServer({});
      const run = await clientHandshake({ port: server.port });
      let outcome;
      try { const r = schannel.decryptMessage(run.context, Buffer.alloc(0)); outcome = { status: r.statusName, missing: r.missing }; }
      catch (err) { outcome = { error: err.code }; }
      closeRun(run); await stopAllPeers();
      console.log(JSON.stringify(outcome));`;
    const child = await new Promise((resolve) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: NET_TIMEOUT - 2000 }, (error, stdout, stderr) => resolve({ error, stdout, stderr }));
    });
    const exit = child.error ? `0x${(child.error.code >>> 0).toString(16).toUpperCase()}` : '0';
    assert.equal(exit, '0', `the child node.exe ended with exit code ${exit} (0xC0000005 is an access violation); stderr: ${child.stderr.slice(0, 300)}`);
    const outcome = JSON.parse(child.stdout.trim().split('\n').at(-1));
    assert.ok(outcome.status === 'SEC_E_INCOMPLETE_MESSAGE' || outcome.error === 'ERR_INVALID_ARG_VALUE', JSON.stringify(outcome));
  });
});

const noOpenssl = await opensslUnavailable();

describe('messages through openssl s_server -rev', { skip: noOpenssl ?? false }, () => {
  after(stopAllPeers);

  it('1 MiB of lines, each reversed by the server, checked by SHA-256', { timeout: NET_TIMEOUT }, async () => {
    const p = testPki();
    const server = await startOpenSslServer({ cert: p.leaf.certPem, key: p.leaf.keyPem, args: ['-rev', '-tls1_2'] });
    const run = await clientHandshake({ port: server.port });
    try {
      // 16384 lines of 63 hex digits and a newline (s_server -rev reverses each line it reads).
      const lines = Array.from({ length: MiB / 64 }, () => crypto.randomBytes(32).toString('hex').slice(0, 63));
      const data = Buffer.from(lines.map((l) => `${l}\n`).join(''));
      const expected = Buffer.from(lines.map((l) => `${[...l].reverse().join('')}\n`).join(''));
      assert.equal(data.length, MiB);
      await sendEncrypted(run, data);
      const echoed = await receiveDecrypted(run, { until: (d) => d.length >= MiB, timeoutMs: NET_TIMEOUT });
      assert.equal(echoed.data.length, MiB);
      assert.equal(sha256(echoed.data), sha256(expected));
    } finally {
      closeRun(run);
      await server.stop();
    }
  });
});
