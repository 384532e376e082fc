// Closing a session: our close_notify (ApplyControlToken SCHANNEL_SHUTDOWN + one more
// InitializeSecurityContext), the peer's close_notify (DecryptMessage), and an alert of our own.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { clientHandshake, closeRun, DEFAULT_REQ, parseRecords, receiveDecrypted, schannel, sendEncrypted } from '../support/handshake.mjs';
import { NET_TIMEOUT, opensslUnavailable, startNodeTlsServer, startOpenSslServer, stopAllPeers, testPki } from '../support/peers.mjs';

const { applyControlToken, initializeSecurityContext, SecStatus } = schannel;

/** ApplyControlToken(token), then the one InitializeSecurityContext call that produces the record. */
function controlRecord(run, token) {
  applyControlToken(run.context, token);
  const result = initializeSecurityContext({ credential: null, context: run.context, targetName: 'localhost', contextReq: DEFAULT_REQ });
  assert.ok([SecStatus.SEC_E_OK, SecStatus.SEC_I_CONTEXT_EXPIRED].includes(result.status), result.statusName);
  const records = parseRecords(result.token);
  assert.equal(records.length, 1, 'exactly one record');
  assert.equal(records[0].type, 21, 'an alert record');
  assert.ok(records[0].complete && records[0].length + 5 === result.token.length);
  return result.token;
}

describe('shutdown with node.exe tls server', () => {
  let server;
  before(async () => { server = await startNodeTlsServer({}); }, { timeout: NET_TIMEOUT });
  after(stopAllPeers);

  it("applyControlToken('shutdown') gives a close_notify the server sees as the end of the stream", { timeout: NET_TIMEOUT }, async () => {
    const run = await clientHandshake({ port: server.port });
    try {
      const peer = await server.connectionFrom(run);
      const ended = once(peer, 'end');
      run.socket.write(controlRecord(run, 'shutdown'));
      await ended;
    } finally {
      closeRun(run);
    }
  });

  it("the server's close_notify: decryptMessage says closed, SEC_I_CONTEXT_EXPIRED, after the last data", { timeout: NET_TIMEOUT }, async () => {
    const run = await clientHandshake({ port: server.port });
    try {
      const peer = await server.connectionFrom(run);
      peer.unpipe(peer);
      peer.end('last words');
      const received = await receiveDecrypted(run, { until: () => false });
      assert.equal(received.data.toString(), 'last words');
      assert.equal(received.closed, true);
      const last = received.results.at(-1);
      assert.equal(last.status, SecStatus.SEC_I_CONTEXT_EXPIRED);
      assert.equal(last.statusName, 'SEC_I_CONTEXT_EXPIRED');
      assert.equal(last.closed, true);
      assert.equal(last.data.length, 0);
      assert.ok([SecStatus.SEC_E_OK, SecStatus.SEC_I_CONTEXT_EXPIRED].includes(last.systemStatus), `system status 0x${last.systemStatus.toString(16)}`);
    } finally {
      closeRun(run);
    }
  });

  it('applyControlToken with a fatal alert sends it: the server fails with that alert', { timeout: NET_TIMEOUT }, async () => {
    const run = await clientHandshake({ port: server.port });
    try {
      const peer = await server.connectionFrom(run);
      const failed = new Promise((resolve) => peer.once('error', resolve));
      run.socket.write(controlRecord(run, { alert: { type: 'fatal', number: 'HANDSHAKE_FAILURE' } }));
      const error = await failed;
      assert.match(error.message, /alert handshake failure|alert number 40/);
    } finally {
      closeRun(run);
    }
  });
});

const noOpenssl = await opensslUnavailable();

describe('shutdown with openssl s_server', { skip: noOpenssl ?? false }, () => {
  after(stopAllPeers);

  it('s_server reads our data and then our close_notify (it reports DONE)', { timeout: NET_TIMEOUT }, async () => {
    const p = testPki();
    // Not -www: s_server prints what it reads; -naccept 1 makes it exit (flushing that) after us.
    const server = await startOpenSslServer({ cert: p.leaf.certPem, key: p.leaf.keyPem, args: ['-tls1_2', '-naccept', '1'] });
    const run = await clientHandshake({ port: server.port });
    try {
      await sendEncrypted(run, Buffer.from('line from schannel\n'));
      run.socket.write(controlRecord(run, 'shutdown'));
      const output = await server.waitForOutput(/cache full overflows/);
      assert.match(output, /line from schannel/);
      assert.match(output, /^DONE$/m);
    } finally {
      closeRun(run);
      await server.stop();
    }
  });

  it('s_server -www closes with close_notify after its page: closed, SEC_I_CONTEXT_EXPIRED', { timeout: NET_TIMEOUT }, async () => {
    const p = testPki();
    const server = await startOpenSslServer({ cert: p.leaf.certPem, key: p.leaf.keyPem, args: ['-tls1_2', '-www'] });
    const run = await clientHandshake({ port: server.port });
    try {
      await sendEncrypted(run, Buffer.from('GET / HTTP/1.0\r\n\r\n'));
      const received = await receiveDecrypted(run, { until: () => false });
      assert.match(received.data.toString('latin1'), /^HTTP\/1\.0 200 ok/);
      assert.equal(received.closed, true);
      assert.equal(received.results.at(-1).status, SecStatus.SEC_I_CONTEXT_EXPIRED);
    } finally {
      closeRun(run);
      await server.stop();
    }
  });
});
