// AcquireCredentialsHandle: both structures, flags, protocol bounds, a PFX certificate, disposal.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { settledStats } from '../support/handles.mjs';
import { clientHandshake, closeRun, CLIENT_FLAGS } from '../support/handshake.mjs';
import { isWine, NET_TIMEOUT, startNodeTlsServer, stopAllPeers, testPki } from '../support/peers.mjs';

const require = createRequire(import.meta.url);
const schannel = require('../..');
const { acquireCredentialsHandle, debugStats, SchannelError } = schannel;
const { pfx } = require('../support/pki.cjs');

const ERROR_INVALID_PASSWORD = 0x80070056; // HRESULT_FROM_WIN32(ERROR_INVALID_PASSWORD)

describe('acquireCredentialsHandle', () => {
  let start;
  before(async () => { start = await settledStats(); });
  after(stopAllPeers);

  it('acquires an outbound credential from SCH_CREDENTIALS', () => {
    const cred = acquireCredentialsHandle({ credentialFormat: 'SCH_CREDENTIALS', flags: CLIENT_FLAGS });
    assert.equal(cred.use, 'outbound');
    assert.equal(cred.usedSchCredentials, true);
    assert.ok(cred.expiry === null || cred.expiry instanceof Date);
    cred.dispose();
  });

  it("acquires one from SCHANNEL_CRED when asked (credentialFormat: 'SCHANNEL_CRED'), and it handshakes", { timeout: NET_TIMEOUT }, async () => {
    const credential = acquireCredentialsHandle({ credentialFormat: 'SCHANNEL_CRED', flags: CLIENT_FLAGS, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    assert.equal(credential.usedSchCredentials, false);
    const server = await startNodeTlsServer({});
    let run;
    try {
      run = await clientHandshake({ port: server.port, credential });
      assert.equal(run.last.statusName, 'SEC_E_OK');
    } finally {
      closeRun(run);
      credential.dispose();
      await server.stop();
    }
  });

  it('takes flags as names or as the same number', () => {
    const byName = acquireCredentialsHandle({ flags: ['MANUAL_CRED_VALIDATION', 'NO_DEFAULT_CREDS'] });
    const byNumber = acquireCredentialsHandle({ flags: schannel.SchCredFlags.MANUAL_CRED_VALIDATION | schannel.SchCredFlags.NO_DEFAULT_CREDS });
    assert.equal(byName.use, byNumber.use);
    byName.dispose();
    byNumber.dispose();
    assert.throws(() => acquireCredentialsHandle({ flags: ['MANUAL_CRED_VALIDATOIN'] }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('takes minVersion/maxVersion, and refuses a minimum above the maximum', () => {
    const cred = acquireCredentialsHandle({ flags: CLIENT_FLAGS, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    cred.dispose();
    assert.throws(() => acquireCredentialsHandle({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' }), { code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('maxVersion TLSv1.2 is what the handshake negotiates with a server that allows TLS 1.3', { timeout: NET_TIMEOUT }, async () => {
    const server = await startNodeTlsServer({ maxVersion: 'TLSv1.3' });
    const credential = acquireCredentialsHandle({ flags: CLIENT_FLAGS, maxVersion: 'TLSv1.2' });
    let run;
    try {
      run = await clientHandshake({ port: server.port, credential });
      assert.equal(schannel.queryContextAttributes(run.context, 'CONNECTION_INFO').protocolName, 'TLSv1.2');
      assert.equal((await server.connectionFrom(run)).getProtocol(), 'TLSv1.2');
    } finally {
      closeRun(run);
      credential.dispose();
      await server.stop();
    }
  });

  const protocolRangeHolds = async (credentialFormat) => {
    const server = await startNodeTlsServer({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    const current = acquireCredentialsHandle({ credentialFormat, flags: CLIENT_FLAGS, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    let run;
    try {
      // A system with TLS 1.0 and 1.1 turned off may refuse the credential itself: either way, a SchannelError.
      await assert.rejects(async () => {
        const old = acquireCredentialsHandle({ credentialFormat, flags: CLIENT_FLAGS, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
        try {
          closeRun(await clientHandshake({ port: server.port, credential: old }));
        } finally {
          old.dispose();
        }
      }, (error) => {
        assert.ok(error instanceof SchannelError, `a SchannelError, not ${error}`);
        assert.match(error.code, /^SEC_E_/);
        return true;
      }, 'TLS 1.0 and 1.1 only, against a TLS 1.2-only server: no handshake');
      run = await clientHandshake({ port: server.port, credential: current });
      assert.equal(schannel.queryContextAttributes(run.context, 'CONNECTION_INFO').protocolName, 'TLSv1.2');
    } finally {
      closeRun(run);
      current.dispose();
      await server.stop();
    }
  };

  it('minVersion/maxVersion hold (the automatic format): a TLS 1.0–1.1 credential cannot reach a TLS 1.2-only server', { timeout: NET_TIMEOUT }, () => protocolRangeHolds('auto'));

  it('minVersion/maxVersion hold in SCHANNEL_CRED (grbitEnabledProtocols)', { timeout: NET_TIMEOUT }, () => protocolRangeHolds('SCHANNEL_CRED'));

  it('minVersion/maxVersion hold in SCH_CREDENTIALS (TLS_PARAMETERS.grbitDisabledProtocols)', {
    timeout: NET_TIMEOUT,
    skip: isWine && 'Wine: SCH_CREDENTIALS\' TLS_PARAMETERS are ignored (a TLS 1.0–1.1 credential negotiated TLS 1.2 with a TLS 1.2-only server), so the automatic format takes SCHANNEL_CRED under Wine',
  }, () => protocolRangeHolds('SCH_CREDENTIALS'));

  it('holds a PFX client certificate, which the server then receives', { timeout: NET_TIMEOUT }, async () => {
    const p = testPki();
    const before = debugStats();
    const credential = acquireCredentialsHandle({ flags: CLIENT_FLAGS, pfx: pfx(p.client, [], 'pfx secret'), passphrase: 'pfx secret' });
    const held = debugStats();
    assert.ok(held.certStores > before.certStores, 'the imported store is held by the credential');
    assert.ok(held.certContexts > before.certContexts, 'the certificate is held by the credential');
    const server = await startNodeTlsServer({ requestCert: true, rejectUnauthorized: true, ca: [p.root.certPem, p.intermediate.certPem] });
    let run;
    try {
      run = await clientHandshake({ port: server.port, credential });
      const socket = await server.connectionFrom(run);
      assert.equal(socket.authorized, true, String(socket.authorizationError));
      assert.equal(socket.getPeerCertificate().subject.CN, 'schannel test client');
    } finally {
      closeRun(run);
      credential.dispose();
      await server.stop();
    }
  });

  it('a wrong PFX passphrase is a SchannelError from PFXImportCertStore (ERROR_INVALID_PASSWORD)', (t) => {
    const blob = pfx(testPki().client, [], 'right');
    let error;
    assert.throws(() => acquireCredentialsHandle({ pfx: blob, passphrase: 'wrong' }), (err) => {
      error = err;
      assert.ok(err instanceof SchannelError);
      assert.equal(err.functionName, 'PFXImportCertStore');
      assert.ok(err.status >= 0x80000000, 'a failure status');
      assert.equal(typeof err.code, 'string');
      assert.ok(err.message.includes(err.code) && err.message.includes(`0x${err.status.toString(16).toUpperCase().padStart(8, '0')}`), err.message);
      return true;
    });
    if (isWine && error.status !== ERROR_INVALID_PASSWORD) {
      return t.skip(`Wine: crypt32's PFXImportCertStore leaves GetLastError() = 0x${error.status.toString(16).toUpperCase()} (${error.code}) for a wrong password, not ERROR_INVALID_PASSWORD`);
    }
    assert.equal(error.status, ERROR_INVALID_PASSWORD);
  });

  it('bytes that are not a PFX are refused by PFXIsPFXBlob (CRYPT_E_BAD_ENCODE)', () => {
    assert.throws(() => acquireCredentialsHandle({ pfx: Buffer.from('not a pfx at all'), passphrase: 'x' }), {
      name: 'SchannelError', functionName: 'PFXIsPFXBlob', status: 0x80092002,
    });
  });

  it('dispose() is idempotent, Symbol.dispose is the same, and disposed reports it', () => {
    const a = acquireCredentialsHandle({ flags: CLIENT_FLAGS });
    assert.equal(a.disposed, false);
    a.dispose();
    assert.equal(a.disposed, true);
    a.dispose();
    a[Symbol.dispose]();
    const b = acquireCredentialsHandle({ flags: CLIENT_FLAGS });
    b[Symbol.dispose]();
    assert.equal(b.disposed, true);
  });

  it('debugStats() counts credentials while held and is back to its start after dispose', () => {
    const before = debugStats();
    const creds = [1, 2, 3].map(() => acquireCredentialsHandle({ flags: CLIENT_FLAGS }));
    assert.equal(debugStats().credentials, before.credentials + 3);
    creds.forEach((c) => c.dispose());
    assert.deepEqual(debugStats(), before);
  });

  it('after every credential and context of this file is disposed, debugStats() is back to its start', () => {
    assert.deepEqual(debugStats(), start);
  });
});
