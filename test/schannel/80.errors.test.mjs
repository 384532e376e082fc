// Every failure that can be provoked is a typed error: SchannelError (code, status, functionName, a
// message with the name and the hex) for Windows' refusals, Node-style TypeErrors for bad arguments.
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { clientCredential, clientHandshake, closeRun, DEFAULT_REQ, schannel } from '../support/handshake.mjs';
import { isWine, NET_TIMEOUT, opensslUnavailable, startNodeTlsServer, startOpenSslServer, stopAllPeers, testPki } from '../support/peers.mjs';

const {
  acceptSecurityContext, acquireCredentialsHandle, applicationProtocolsBuffer, applyControlToken, completeAuthToken,
  decryptMessage, deleteSecurityContext, encryptMessage, initializeSecurityContext, queryContextAttributes,
  SchannelError, SecBufferType, SecStatus,
} = schannel;

const hex = (status) => `0x${status.toString(16).toUpperCase().padStart(8, '0')}`;

/** Asserts the shape every SchannelError from a Windows call has; returns the error. */
function assertTyped(err, functionName, codes) {
  assert.ok(err instanceof SchannelError, `a SchannelError, got ${err?.stack ?? err}`);
  assert.equal(err.functionName, functionName);
  assert.equal(err.status, SecStatus[err.code], `code ${err.code} names status ${hex(err.status)}`);
  assert.ok(err.message.startsWith(`${functionName} failed: `), err.message);
  assert.ok(err.message.includes(err.code) && err.message.includes(hex(err.status)), err.message);
  if (codes) assert.ok([codes].flat().includes(err.code), `${err.code} is one of ${codes}`);
  return err;
}

/** The error a call throws (the test fails when it does not throw). */
function errorOf(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return assert.fail('expected the call to throw');
}

/** A context after the first initializeSecurityContext call (ClientHello made, no server needed). */
function startedContext(credential) {
  const first = initializeSecurityContext({ credential, targetName: 'localhost', contextReq: DEFAULT_REQ });
  assert.equal(first.statusName, 'SEC_I_CONTINUE_NEEDED');
  return first.context;
}

/** The second call, with `reply` as what the server sent. */
const reply = (context, data) => initializeSecurityContext({
  credential: null, context, targetName: 'localhost', contextReq: DEFAULT_REQ,
  input: [{ type: SecBufferType.TOKEN, data }, { type: SecBufferType.EMPTY }],
});

describe('errors from a bad server reply', () => {
  let credential;
  before(() => { credential = clientCredential(); });
  after(() => credential.dispose());

  it('a malformed ServerHello (a handshake record of garbage) is refused', (t) => {
    const context = startedContext(credential);
    const garbage = Buffer.concat([Buffer.from('16030300400200003c0303', 'hex'), Buffer.alloc(60, 0xab)]);
    const err = assertTyped(errorOf(() => reply(context, garbage)), 'InitializeSecurityContextW');
    context.dispose();
    if (isWine && err.code === 'SEC_E_INTERNAL_ERROR') return t.skip('Wine: a malformed ServerHello gives SEC_E_INTERNAL_ERROR (0x80090304), not SEC_E_ILLEGAL_MESSAGE');
    assert.ok(['SEC_E_ILLEGAL_MESSAGE', 'SEC_E_INVALID_TOKEN'].includes(err.code), err.code);
  });

  it('an HTTP response instead of a ServerHello is SEC_E_INVALID_TOKEN', (t) => {
    const context = startedContext(credential);
    const http = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    let result;
    const err = (() => { try { result = reply(context, http); return null; } catch (e) { return e; } })();
    context.dispose();
    if (isWine && result?.status === SecStatus.SEC_E_INCOMPLETE_MESSAGE) {
      return t.skip(`Wine: takes "HTTP/" for a record header and returns SEC_E_INCOMPLETE_MESSAGE (missing ${result.missing}) instead of SEC_E_INVALID_TOKEN`);
    }
    assertTyped(err, 'InitializeSecurityContextW', ['SEC_E_INVALID_TOKEN', 'SEC_E_ILLEGAL_MESSAGE']);
  });
});

describe('errors from handles that are gone', () => {
  let server, run;
  before(async () => {
    server = await startNodeTlsServer({});
    run = await clientHandshake({ port: server.port });
  }, { timeout: NET_TIMEOUT });
  after(async () => {
    closeRun(run);
    await stopAllPeers();
  });

  it('a deleted context is SEC_E_INVALID_HANDLE for every call, and a second delete too', { timeout: NET_TIMEOUT }, () => {
    const record = encryptMessage(run.context, Buffer.from('before delete'));
    deleteSecurityContext(run.context);
    assert.equal(run.context.deleted, true);
    const calls = {
      InitializeSecurityContextW: () => reply(run.context, record),
      EncryptMessage: () => encryptMessage(run.context, Buffer.from('x')),
      DecryptMessage: () => decryptMessage(run.context, record),
      QueryContextAttributesW: () => queryContextAttributes(run.context, 'STREAM_SIZES'),
      ApplyControlToken: () => applyControlToken(run.context, 'shutdown'),
      DeleteSecurityContext: () => deleteSecurityContext(run.context),
    };
    for (const [functionName, call] of Object.entries(calls)) {
      const err = assertTyped(errorOf(call), functionName, 'SEC_E_INVALID_HANDLE');
      assert.equal(err.status, 0x80090301);
    }
    run.context.dispose(); // idempotent after delete
  });

  it('a disposed credential is SEC_E_INVALID_HANDLE on a first call', () => {
    const credential = clientCredential();
    credential.dispose();
    assertTyped(errorOf(() => initializeSecurityContext({ credential, targetName: 'localhost', contextReq: DEFAULT_REQ })), 'InitializeSecurityContextW', 'SEC_E_INVALID_HANDLE');
    assertTyped(errorOf(() => acceptSecurityContext({ credential, contextReq: ['STREAM'], input: [{ type: SecBufferType.TOKEN, data: Buffer.alloc(10) }] })), 'AcceptSecurityContext', 'SEC_E_INVALID_HANDLE');
  });
});

describe('errors from the record layer', () => {
  let server;
  before(async () => { server = await startNodeTlsServer({}); }, { timeout: NET_TIMEOUT });
  after(stopAllPeers);

  it('a flipped bit in a record is SEC_E_DECRYPT_FAILURE or SEC_E_MESSAGE_ALTERED', { timeout: NET_TIMEOUT }, async (t) => {
    const run = await clientHandshake({ port: server.port });
    try {
      const peer = await server.connectionFrom(run);
      peer.write('authentic');
      await run.reader.wait();
      const record = run.reader.take();
      record[record.length - 3] ^= 0x01; // inside the AEAD tag / MAC
      const err = assertTyped(errorOf(() => decryptMessage(run.context, record)), 'DecryptMessage');
      if (isWine && err.code === 'SEC_E_INTERNAL_ERROR') return t.skip('Wine: a tampered record gives SEC_E_INTERNAL_ERROR (0x80090304) from DecryptMessage');
      assert.ok(['SEC_E_DECRYPT_FAILURE', 'SEC_E_MESSAGE_ALTERED'].includes(err.code), err.code);
    } finally {
      closeRun(run);
    }
  });
});

const noOpenssl = await opensslUnavailable();

describe('a TLS 1.3-only server (openssl s_server -tls1_3)', { skip: noOpenssl ?? false }, () => {
  after(stopAllPeers);

  it('Windows 11 / Server 2022 negotiate TLS 1.3; older systems fail with a SchannelError', { timeout: NET_TIMEOUT }, async (t) => {
    const p = testPki();
    const server = await startOpenSslServer({ cert: p.leaf.certPem, key: p.leaf.keyPem, args: ['-www', '-tls1_3'] });
    let run, err;
    try {
      run = await clientHandshake({ port: server.port });
    } catch (e) {
      err = e;
    }
    try {
      const build = Number(os.release().split('.')[2]);
      if (isWine) {
        assertTyped(err, 'InitializeSecurityContextW');
        return t.skip(`Wine: no TLS 1.3 client; the handshake fails with ${err.code} (${hex(err.status)})`);
      }
      if (build < 20348) {
        assertTyped(err, 'InitializeSecurityContextW');
        return;
      }
      assert.equal(err, undefined, `TLS 1.3 handshake failed: ${err?.message}`);
      assert.equal(queryContextAttributes(run.context, 'CONNECTION_INFO').protocolName, 'TLSv1.3');
    } finally {
      closeRun(run);
      await server.stop();
    }
  });
});

describe('wrong arguments are TypeErrors, never crashes', () => {
  let credential, context;
  before(() => {
    credential = clientCredential();
    context = startedContext(credential);
  });
  after(() => {
    context.dispose();
    credential.dispose();
  });

  const argType = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };
  const isc = (extra) => () => initializeSecurityContext({ credential, targetName: 'localhost', contextReq: DEFAULT_REQ, ...extra });

  it('acquireCredentialsHandle', () => {
    for (const options of ['outbound', 42, [], { flags: 'MANUAL_CRED_VALIDATION' }, { pfx: 'base64 text' }, { package: 5 }, { minimumCipherStrength: '128' }]) {
      assert.throws(() => acquireCredentialsHandle(options), argType, JSON.stringify(options));
    }
  });

  it('initializeSecurityContext and acceptSecurityContext', () => {
    assert.throws(() => initializeSecurityContext(), argType);
    assert.throws(() => initializeSecurityContext('params'), argType);
    assert.throws(isc({ contextReq: 'STREAM' }), argType);
    assert.throws(isc({ targetName: 5 }), argType);
    assert.throws(isc({ input: 'ClientHello' }), argType);
    assert.throws(isc({ input: [{ type: SecBufferType.TOKEN, data: 'bytes' }] }), argType);
    assert.throws(isc({ input: [{ type: 'TOKEN', data: Buffer.alloc(1) }] }), argType);
    assert.throws(isc({ output: { type: SecBufferType.TOKEN } }), argType);
    assert.throws(() => acceptSecurityContext('params'), argType);
    assert.throws(() => acceptSecurityContext({ credential: 'cred', contextReq: ['STREAM'] }), argType);
  });

  it('a context where a credential goes, and a credential where a context goes', () => {
    assert.throws(() => initializeSecurityContext({ credential: context, targetName: 'localhost', contextReq: DEFAULT_REQ }), argType);
    assert.throws(() => initializeSecurityContext({ credential: null, context: credential, contextReq: DEFAULT_REQ }), argType);
    assert.throws(() => acceptSecurityContext({ credential: context, contextReq: ['STREAM'] }), argType);
    for (const call of [encryptMessage, decryptMessage]) assert.throws(() => call(credential, Buffer.alloc(1)), argType);
    assert.throws(() => queryContextAttributes(credential, 'STREAM_SIZES'), argType);
    assert.throws(() => applyControlToken(credential, 'shutdown'), argType);
    assert.throws(() => deleteSecurityContext(credential), argType);
    assert.throws(() => completeAuthToken(credential, []), argType);
  });

  it('the message and control calls', () => {
    assert.throws(() => encryptMessage(context, 'plaintext'), argType);
    assert.throws(() => encryptMessage(context, [1, 2, 3]), argType);
    assert.throws(() => encryptMessage(undefined, Buffer.alloc(1)), argType);
    assert.throws(() => decryptMessage(context, 'ciphertext'), argType);
    assert.throws(() => decryptMessage(context), argType);
    assert.throws(() => applyControlToken(context, 1), argType);
    assert.throws(() => applyControlToken('context', 'shutdown'), argType);
    assert.throws(() => completeAuthToken(context, 'buffers'), argType);
    assert.throws(() => deleteSecurityContext({}), argType);
    assert.throws(() => applicationProtocolsBuffer('h2'), argType);
    assert.throws(() => applicationProtocolsBuffer([5]), argType);
  });

  it('queryContextAttributes with a name that is not a string', () => {
    assert.throws(() => queryContextAttributes(context, 0x5a), argType);
    assert.throws(() => queryContextAttributes({}, 'STREAM_SIZES'), argType);
  });

  it('should handle abuse without crashing: look-alike and hand-made handle objects', () => {
    const lookalike = Object.create(schannel.SecurityContext.prototype);
    assert.throws(() => encryptMessage(lookalike, Buffer.alloc(1)), argType);
    const lookalikeCredential = Object.create(schannel.CredentialsHandle.prototype);
    assert.throws(() => initializeSecurityContext({ credential: lookalikeCredential, targetName: 'localhost', contextReq: DEFAULT_REQ }), argType);
    // Hand-made ones cannot be had: only the package constructs its handle classes.
    const illegal = { name: 'TypeError', code: 'ERR_ILLEGAL_CONSTRUCTOR' };
    assert.throws(() => new schannel.CredentialsHandle({}, { expiry: null, use: 'outbound', usedSchCredentials: true }), illegal);
    assert.throws(() => new schannel.SecurityContext({}, 'client'), illegal);
    assert.throws(() => lookalike.dispose(), { name: 'TypeError', code: 'ERR_INVALID_THIS' });
    assert.equal(context.deleted, false, 'the real handles are untouched');
  });
});
