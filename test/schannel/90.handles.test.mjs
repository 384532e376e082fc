// Handle lifetimes, counted by debugStats(): explicit disposal frees at once, garbage collection frees
// what was dropped, and a context keeps the credential it was made from alive.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientCredential, clientHandshake, closeRun, receiveDecrypted, schannel, sendEncrypted } from '../support/handshake.mjs';
import { collectGarbage as collect, noGc, settledStats } from '../support/handles.mjs';
import { NET_TIMEOUT, startNodeTlsServer, stopAllPeers } from '../support/peers.mjs';

const { debugStats } = schannel;

describe('handles', () => {
  let server;
  before(async () => { server = await startNodeTlsServer({}); }, { timeout: NET_TIMEOUT });
  after(stopAllPeers);

  it('50 sequential handshakes, each disposed: debugStats() is back to its start at once, without GC', { timeout: 60_000 }, async () => {
    const start = await settledStats();
    for (let i = 0; i < 50; i++) {
      const run = await clientHandshake({ port: server.port });
      assert.equal(run.last.statusName, 'SEC_E_OK');
      assert.ok(debugStats().contexts > start.contexts, 'a live context is counted');
      closeRun(run); // deleteSecurityContext + credential.dispose()
      assert.equal(run.context.deleted, true);
      assert.equal(run.credential.disposed, true);
      // `run` is still referenced here, so garbage collection cannot be what frees the handles.
      assert.deepEqual(debugStats(), start, `after handshake ${i + 1}, deleted and disposed`);
    }
  });

  it('handshakes whose objects are only dropped are freed by garbage collection', { timeout: 60_000, skip: noGc }, async () => {
    const start = await settledStats();
    // In a function of its own, so that no frame of this test still holds the last one.
    const handshakeAndDrop = async () => {
      for (let i = 0; i < 20; i++) {
        const run = await clientHandshake({ port: server.port });
        assert.ok(debugStats().contexts > start.contexts, 'a live context is counted');
        run.socket.destroy(); // neither the context nor the credential is disposed
      }
    };
    await handshakeAndDrop();
    await collect(5);
    assert.deepEqual(debugStats(), start);
  });

  it('a context outlives its disposed credential: it still encrypts, and frees the credential when deleted', { timeout: NET_TIMEOUT }, async () => {
    const start = await settledStats();
    const credential = clientCredential();
    let run;
    try {
      run = await clientHandshake({ port: server.port, credential });
      credential.dispose();
      assert.equal(credential.disposed, true);
      assert.equal(debugStats().credentials, start.credentials + 1, 'the context keeps the credential');
      await sendEncrypted(run, Buffer.from('still here'));
      assert.equal((await receiveDecrypted(run, { until: (d) => d.length >= 10 })).data.toString(), 'still here');
    } finally {
      closeRun(run);
      credential.dispose();
    }
    assert.deepEqual(debugStats(), start, 'once the context is deleted, nothing uses the credential');
  });
});
