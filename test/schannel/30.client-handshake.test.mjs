// The client handshake, driven one initializeSecurityContext call at a time against two independent
// servers: the host's `openssl s_server` and node.exe's own tls server (OpenSSL inside node.exe).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientHandshake, closeRun, DEFAULT_REQ, receiveDecrypted, schannel, sendEncrypted } from '../support/handshake.mjs';
import { NET_TIMEOUT, opensslUnavailable, startNodeTlsServer, startOpenSslServer, stopAllPeers, testPki, writePem } from '../support/peers.mjs';

const { SecBufferType } = schannel;
const GREETING = 'hello from the server';

/** What every completed handshake must show, whatever the feeding mode. */
function assertCompleted(run) {
  assert.equal(run.first.statusName, 'SEC_I_CONTINUE_NEEDED');
  assert.equal(run.last.statusName, 'SEC_E_OK');
  assert.ok(run.statuses.SEC_I_CONTINUE_NEEDED >= 1);
  assert.equal(run.statuses.SEC_E_OK, 1);
  assert.ok(run.context instanceof schannel.SecurityContext);
  for (const name of ['CONFIDENTIALITY', 'STREAM', 'ALLOCATED_MEMORY']) assert.ok(run.last.contextAttrNames.includes(name), name);
  assert.ok(run.last.expiry === null || (run.last.expiry instanceof Date && !Number.isNaN(run.last.expiry.getTime())));
}

/** The mode-specific promises of the driver's counters. */
function assertMode(run, mode) {
  if (mode === 'byte') {
    assert.ok(run.statuses.SEC_E_INCOMPLETE_MESSAGE > 100, `fed one byte at a time, most calls are incomplete (${run.statuses.SEC_E_INCOMPLETE_MESSAGE})`);
    assert.ok(run.missing.some((m) => m > 1), `SECBUFFER_MISSING counts were reported: ${run.missing.slice(0, 10)}`);
  } else if (mode === 'coalesced') {
    assert.equal(run.statuses.SEC_E_INCOMPLETE_MESSAGE, undefined, 'a whole flight is never incomplete');
    assert.ok(run.calls >= 3, 'ClientHello, then at least one call per server flight');
    assert.ok(run.calls - 3 <= run.extraCount, `each further call fed back SECBUFFER_EXTRA (${run.calls} calls, ${run.extraCount} extra)`);
  } else {
    assert.ok(run.calls >= 3 && run.calls <= 12, `a few calls (${run.calls})`);
  }
}

describe('client handshake against node.exe tls server', () => {
  let server;
  before(async () => {
    server = await startNodeTlsServer({}, (socket) => { socket.write(GREETING); socket.pipe(socket); });
  }, { timeout: NET_TIMEOUT });
  after(stopAllPeers);

  for (const mode of ['whole', 'byte', 'coalesced']) {
    it(`completes with ${mode} reads and then carries data both ways`, { timeout: NET_TIMEOUT }, async () => {
      const run = await clientHandshake({ port: server.port, mode });
      try {
        assertCompleted(run);
        assertMode(run, mode);
        if (mode === 'coalesced') {
          assert.ok(run.leftover, "the server's first record came with its Finished and is left over as extra");
        }
        const greeting = await receiveDecrypted(run, { until: (d) => d.length >= GREETING.length });
        assert.equal(greeting.data.toString(), GREETING);
        await sendEncrypted(run, Buffer.from('ping'));
        assert.equal((await receiveDecrypted(run, { until: (d) => d.length >= 4 })).data.toString(), 'ping');
      } finally {
        closeRun(run);
      }
    });
  }

  it('sends the target name as SNI', { timeout: NET_TIMEOUT }, async () => {
    for (const targetName of ['localhost', 'other.example.test']) {
      const run = await clientHandshake({ port: server.port, targetName });
      const seen = (await server.connectionFrom(run)).servername;
      closeRun(run);
      assert.equal(seen, targetName);
    }
  });

  it('sends no SNI when targetName is null', { timeout: NET_TIMEOUT }, async () => {
    const run = await clientHandshake({ port: server.port, targetName: null });
    const seen = (await server.connectionFrom(run)).servername;
    closeRun(run);
    assert.equal(seen, false);
  });

  it('works with caller-allocated output buffers (no ALLOCATE_MEMORY, explicit sizes)', { timeout: NET_TIMEOUT }, async () => {
    const run = await clientHandshake({
      port: server.port,
      contextReq: DEFAULT_REQ.filter((f) => f !== 'ALLOCATE_MEMORY'),
      output: [{ type: SecBufferType.TOKEN, size: 16384 }, { type: SecBufferType.ALERT, size: 512 }],
    });
    try {
      assert.equal(run.last.statusName, 'SEC_E_OK');
      assert.ok(!run.last.contextAttrNames.includes('ALLOCATED_MEMORY'));
      const token = run.first.output.find((b) => b.type === SecBufferType.TOKEN);
      assert.ok(token.size > 0 && token.size <= 16384, `the ClientHello fits the caller's buffer (${token.size})`);
      assert.equal(token.data.length, token.size);
      assert.equal((await receiveDecrypted(run, { until: (d) => d.length >= GREETING.length })).data.toString(), GREETING);
    } finally {
      closeRun(run);
    }
  });
});

const noOpenssl = await opensslUnavailable();

describe('client handshake against openssl s_server', { skip: noOpenssl ?? false }, () => {
  let pki;
  before(() => { pki = testPki(); });
  after(stopAllPeers);

  /** An s_server -www on TLS 1.2 with the leaf and its intermediate; `args` are added. */
  const wwwServer = (args = []) => startOpenSslServer({
    cert: pki.leaf.certPem, key: pki.leaf.keyPem, chain: [pki.intermediate.certPem], args: ['-www', '-tls1_2', ...args],
  });

  /** GET / over the context; resolves to the response once the server has closed its side. */
  async function get(run) {
    await sendEncrypted(run, Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    const response = await receiveDecrypted(run, { until: () => false });
    return { text: response.data.toString('latin1'), closed: response.closed };
  }

  for (const mode of ['whole', 'byte', 'coalesced']) {
    it(`completes with ${mode} reads and fetches the -www page`, { timeout: NET_TIMEOUT }, async () => {
      const server = await wwwServer();
      const run = await clientHandshake({ port: server.port, mode });
      try {
        assertCompleted(run);
        assertMode(run, mode);
        assert.equal(run.leftover, null, 's_server sends nothing before the request');
        const { text } = await get(run);
        assert.match(text, /^HTTP\/1\.0 200 ok/);
        assert.match(text, /Protocol\s*: TLSv1\.2/);
      } finally {
        closeRun(run);
        await server.stop();
      }
    });
  }

  it('sends the target name as SNI, and none for a null targetName', { timeout: NET_TIMEOUT }, async () => {
    // With -servername and a second certificate, s_server prints the SNI it received; -naccept 1
    // makes it exit (and flush its output) once the one connection is done.
    const sni = ['-naccept', '1', '-servername', 'localhost', '-cert2', writePem('cert2', pki.leaf.certPem), '-key2', writePem('key2', pki.leaf.keyPem)];
    for (const targetName of ['localhost', null]) {
      const server = await wwwServer(sni);
      const run = await clientHandshake({ port: server.port, targetName });
      try {
        assert.match((await get(run)).text, /^HTTP\/1\.0 200 ok/);
        closeRun(run);
        const output = await server.waitForOutput(/cache full overflows/); // its last line, at exit
        if (targetName) assert.match(output, /Hostname in TLS extension: "localhost"/);
        else assert.doesNotMatch(output, /Hostname in TLS extension/);
        assert.match(output, /cache full overflows/, 's_server has exited and flushed its output');
      } finally {
        closeRun(run);
        await server.stop();
      }
    }
  });
});
