// Bad input on every public export: wrong types, out-of-range and odd numbers (NaN, -0, 2^32, huge),
// strings where bytes go, symbols and bigints, objects whose getters throw, a disposed handle, a
// handle of the other kind. Each must end in a TypeError/RangeError with Node's code
// (ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE), a SchannelError, or the caller's
// own exception, and never in a crash or an untyped error.
//
// The table below has one entry per export of require('schannel'). A new export without an entry
// fails the first test. To extend it, add rows: [label, (fx) => call, expected, { bug, child }].
//   expected: TYPE | VALUE | RANGE | ARG (any of the three) | sch('CODE') | SCH (any SchannelError)
//             | BOOM (the getter's own error) | OK (accepted: no throw) | code('ERR_X') | NEW (a plain
//             TypeError, as for a class called without `new`) | CRYPTO (Node's X509 parser's error)
//   fx: fixtures made once (credentials, contexts, certificates); see `fixtures()`.
//   bug: a known product bug; the row runs as a `todo` with this text until it is fixed.
//   child: run the call in a child node.exe, so that a late crash (an error event nobody listens to,
//          a throw from a callback) fails the row instead of the whole run. Used for every call that
//          may open a connection.
// Run as `SCHANNEL_BAD_INPUT_ROW=<id> node 330.bad-input.test.mjs`, the file plays one row and prints
// its outcome (that is how the `child` rows run).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const schannel = require('../..');
const { makeTestPki, pfx } = require('../support/pki.cjs');
const isWine = process.env.SCHANNEL_TEST_RUNTIME === 'wine';
const CHILD_ROW = process.env.SCHANNEL_BAD_INPUT_ROW;
const CLOSED_PORT = 2; // nothing listens there; fetch() refuses port 1 as a "bad port"

// ------------------------------------------------------------------------------------------------
// Expectations

const nodeError = (name, codes) => ({ describe: `${name} ${codes.join('|')}`, test: (e) => e?.name === name && codes.includes(e.code) });
const TYPE = nodeError('TypeError', ['ERR_INVALID_ARG_TYPE']);
const RANGE = nodeError('RangeError', ['ERR_OUT_OF_RANGE']);
const VALUE = { describe: 'TypeError|RangeError ERR_INVALID_ARG_VALUE', test: (e) => (e?.name === 'TypeError' || e?.name === 'RangeError') && e.code === 'ERR_INVALID_ARG_VALUE' };
const ARG = { describe: 'a Node argument error', test: (e) => TYPE.test(e) || RANGE.test(e) || VALUE.test(e) };
const SCH = { describe: 'a SchannelError', test: (e) => e instanceof schannel.SchannelError && typeof e.code === 'string' && e.code.length > 0 };
const sch = (...codes) => ({ describe: `SchannelError ${codes.join('|')}`, test: (e) => SCH.test(e) && codes.includes(e.code) });
const code = (name, c) => ({ describe: `${name} ${c}`, test: (e) => e?.name === name && e.code === c });
// Node's own codes for a class only the library constructs (as CryptoKey) and for a method called
// on an object of another class (as URLSearchParams).
const ILLEGAL = code('TypeError', 'ERR_ILLEGAL_CONSTRUCTOR');
const THIS = code('TypeError', 'ERR_INVALID_THIS');
const NEW = { describe: 'a TypeError (class constructor called without new)', test: (e) => e?.name === 'TypeError' };
const CRYPTO = { describe: 'Node\'s X509 error (ERR_OSSL_*)', test: (e) => typeof e?.code === 'string' && /^ERR_OSSL_/.test(e.code) };
const boom = new Error('boom: a getter of the caller');
const BOOM = { describe: 'the caller\'s own error', test: (e) => e === boom };
const OK = { describe: 'accepted', ok: true };
// A host name with a NUL in it: refused as an argument, or failing the name check as node:tls does.
const NUL_HOST = { describe: 'ERR_INVALID_ARG_VALUE or ERR_TLS_CERT_ALTNAME_INVALID', test: (e) => VALUE.test(e) || e?.code === 'ERR_TLS_CERT_ALTNAME_INVALID' };

// ------------------------------------------------------------------------------------------------
// Inputs

const throwingGetter = (key) => Object.defineProperty({}, key, { enumerable: true, get() { throw boom; } });
const throwingProxy = () => new Proxy({}, { get() { throw boom; }, has() { throw boom; }, ownKeys() { throw boom; }, getOwnPropertyDescriptor() { throw boom; } });
const NOT_OBJECTS = [['a number', 5], ['a string', 'options'], ['true', true], ['a symbol', Symbol('x')], ['a bigint', 10n], ['an array', []], ['null', null]];
const NOT_BYTES = [['a string', 'bytes'], ['a number', 5], ['an array of numbers', [1, 2, 3]], ['null', null], ['a plain object', { length: 3 }], ['a SharedArrayBuffer', new SharedArrayBuffer(4)]];
// A Windows ULONG: what every count, flag set and size of the SSPI surface is.
const UINT32 = [
  ['a numeric string', '1', TYPE], ['NaN', NaN, RANGE], ['-1', -1, RANGE], ['1.5', 1.5, RANGE], ['2^32', 2 ** 32, RANGE],
  ['Infinity', Infinity, RANGE], ['2^53 + 2', 2 ** 53 + 2, RANGE], ['a bigint', 1n, TYPE], ['a symbol', Symbol('n'), TYPE], ['-0 (taken as 0)', -0, OK],
];
// A status value: signed int32 (how a negative HRESULT reaches JS) or uint32.
const STATUS = [
  ['a string', '0', TYPE], ['NaN', NaN, RANGE], ['1.5', 1.5, RANGE], ['2^32', 2 ** 32, RANGE], ['-2^31 - 1', -(2 ** 31) - 1, RANGE],
  ['a bigint', 0n, TYPE], ['a symbol', Symbol('s'), TYPE], ['null', null, TYPE], ['-0', -0, OK], ['-1 (0xFFFFFFFF)', -1, OK],
];

/** Rows for a parameter that must be an object: every non-object, and one whose properties throw. */
function objectRows(call, { nullOk = false, undefinedOk = true } = {}) {
  const rows = NOT_OBJECTS.filter(([label]) => !(nullOk && label === 'null')).map(([label, value]) => [`${label} as the options`, () => call(value), TYPE]);
  if (!undefinedOk) rows.push(['no options at all', () => call(undefined), TYPE]);
  rows.push(['a Proxy whose every trap throws', () => call(throwingProxy()), BOOM]);
  return rows;
}

/** Rows for a ULONG option `key` of the options object built by `base`. */
function uint32Rows(key, call, base = {}) {
  return UINT32.map(([label, value, expected]) => [`${key}: ${label}`, (fx) => call({ ...resolve(base, fx), [key]: value }, fx), expected]);
}

/** Rows for an option that must be a string. */
function stringRows(key, call, base = {}) {
  return [[`${key}: a number`, 5], [`${key}: a symbol`, Symbol('s')], [`${key}: an object`, {}]].map(([label, value]) => [label, (fx) => call({ ...resolve(base, fx), [key]: value }, fx), TYPE]);
}

/** Rows for an option that must be bytes. */
function bytesRows(key, call, base = {}) {
  return NOT_BYTES.filter(([label]) => label !== 'null').map(([label, value]) => [`${key}: ${label}`, (fx) => call({ ...resolve(base, fx), [key]: value }, fx), TYPE]);
}

/** A throwing getter on `key`. */
function getterRow(key, call, base = {}) {
  return [`a getter for ${key} that throws`, (fx) => call(Object.assign(throwingGetter(key), resolve(base, fx)), fx), BOOM];
}

const resolve = (value, fx) => (typeof value === 'function' ? value(fx) : value);

// ------------------------------------------------------------------------------------------------
// Fixtures: made once, in before(); `fresh*` make a new one per call (for calls that spoil a context).

// Made on first use: a child process playing one row rarely needs them, and RSA keys take a while.
let pkiSet;
let pfxBytes;
const p = new Proxy({}, { get: (_, key) => (pkiSet ??= makeTestPki())[key] });
const serverPfxBytes = () => (pfxBytes ??= pfx(p.leaf, [p.intermediate]));
const CLIENT_REQ = ['CONFIDENTIALITY', 'REPLAY_DETECT', 'SEQUENCE_DETECT', 'STREAM', 'ALLOCATE_MEMORY', 'EXTENDED_ERROR', 'MANUAL_CRED_VALIDATION'];
const SERVER_REQ = ['CONFIDENTIALITY', 'REPLAY_DETECT', 'SEQUENCE_DETECT', 'STREAM', 'ALLOCATE_MEMORY', 'EXTENDED_ERROR'];
const made = [];
const keep = (handle) => { made.push(handle); return handle; };

function establish(clientCred, serverCred) {
  const { SecBufferType } = schannel;
  let client = schannel.initializeSecurityContext({ credential: clientCred, targetName: 'localhost', contextReq: CLIENT_REQ });
  let serverContext = null;
  for (let round = 0; round < 10 && client.token.length > 0; round++) {
    const server = schannel.acceptSecurityContext({ credential: serverCred, context: serverContext, contextReq: SERVER_REQ, input: [{ type: SecBufferType.TOKEN, data: client.token }, { type: SecBufferType.EMPTY }] });
    serverContext ??= server.context;
    if (server.token.length === 0) break;
    client = schannel.initializeSecurityContext({ credential: null, context: client.context, targetName: 'localhost', contextReq: CLIENT_REQ, input: [{ type: SecBufferType.TOKEN, data: server.token }, { type: SecBufferType.EMPTY }] });
  }
  assert.equal(client.statusName, 'SEC_E_OK');
  return { client: keep(client.context), server: keep(serverContext) };
}

let fixtureSet;
function fixtures() {
  if (fixtureSet) return fixtureSet;
  const credential = keep(schannel.acquireCredentialsHandle({ flags: ['MANUAL_CRED_VALIDATION', 'NO_DEFAULT_CREDS'] }));
  const serverCredential = keep(schannel.acquireCredentialsHandle({ use: 'inbound', pfx: serverPfxBytes(), passphrase: 'test' }));
  const disposedCredential = schannel.acquireCredentialsHandle();
  disposedCredential.dispose();
  const { client: context } = establish(credential, serverCredential);
  const deleted = establish(credential, serverCredential).client;
  deleted.dispose();
  const records = schannel.encryptMessage(establish(credential, serverCredential).client, Buffer.from('hello'));
  fixtureSet = {
    credential, serverCredential, disposedCredential, context, deletedContext: deleted, records,
    /** An established client context of its own, for calls that may spoil it. */
    freshContext: () => establish(credential, serverCredential).client,
    der: p.leaf.der,
    info: schannel.describeCertificate(p.client.der, { hasPrivateKey: true }),
    pfx: serverPfxBytes(),
    engine: () => new schannel.TlsEngine({ role: 'client', credential, targetName: 'localhost' }),
    openEngine: () => {
      const client = new schannel.TlsEngine({ role: 'client', credential, targetName: 'localhost' });
      const server = new schannel.TlsEngine({ role: 'server', credential: serverCredential });
      client.start();
      for (let i = 0; i < 10 && client.state !== 'open'; i++) {
        server.feed(client.takeOutgoing());
        client.feed(server.takeOutgoing());
      }
      server.destroy();
      return client;
    },
  };
  return fixtureSet;
}

// ------------------------------------------------------------------------------------------------
// Calls that may open a connection (played in a child process)

/** https.get through an agent: resolves to the request's error (or throws it synchronously). */
function agentRequest(agent) {
  const https = require('node:https');
  return new Promise((resolvePromise, reject) => {
    const request = https.get({ host: '127.0.0.1', port: CLOSED_PORT, agent }, () => reject(new Error('a response?')));
    request.on('error', (error) => resolvePromise(Promise.reject(error)));
  });
}

/** fetch() through a dispatcher: rejects with undici's TypeError('fetch failed'), whose cause is the error. */
async function dispatcherFetch(dispatcher) {
  try {
    await fetch(`https://127.0.0.1:${CLOSED_PORT}/`, { dispatcher });
  } catch (error) {
    throw error.cause ?? error;
  } finally {
    await dispatcher.close?.();
  }
  throw new Error('fetch succeeded?');
}

/** connect() with a NUL in servername to a node:tls server for localhost: rejects with the outcome. */
async function nulServername() {
  const tls = require('node:tls');
  const server = tls.createServer({ key: p.leaf.keyPem, cert: p.leaf.certPem + p.intermediate.certPem }, (socket) => socket.end());
  await new Promise((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  try {
    await new Promise((resolvePromise, reject) => {
      const socket = schannel.connect({ host: '127.0.0.1', port: server.address().port, servername: 'localhost\0.evil.example', ca: p.root.certPem }, () => {
        socket.destroy();
        reject(new Error(`secure, authorized = ${socket.authorized} for 'localhost\\0.evil.example'`));
      });
      socket.on('error', reject);
      socket.on('close', resolvePromise);
    });
  } finally {
    server.close();
  }
}

const connectTo = (options) => schannel.connect({ host: '127.0.0.1', port: CLOSED_PORT, ...options });
const onConnect = (rows) => rows.map(([label, call, expected, flags = {}]) => [label, call, expected, { child: true, ...flags }]);


// ------------------------------------------------------------------------------------------------
// The table: one entry per export

const constant = { constant: true };
const noInput = (why, call) => ({ noInput: why, rows: [['ignores junk arguments', () => call(Symbol('junk'), -0, NaN, throwingProxy()), OK]] });

const table = {
  // --- loading and counters --------------------------------------------------------------------
  isSupported: noInput('takes no arguments', (...a) => schannel.isSupported(...a)),
  unsupportedReason: noInput('takes no arguments', (...a) => schannel.unsupportedReason(...a)),
  debugStats: noInput('takes no arguments', (...a) => schannel.debugStats(...a)),
  clearCredentialCache: noInput('takes no arguments', (...a) => schannel.clearCredentialCache(...a)),
  statusAliases: noInput('takes no arguments', (...a) => schannel.statusAliases(...a)),

  // --- the engine ------------------------------------------------------------------------------
  TlsEngine: {
    rows: [
      ['called without new', () => schannel.TlsEngine({}), NEW],
      ...objectRows((o) => new schannel.TlsEngine(o), { undefinedOk: false }).map((r) => (r[2] === BOOM ? r : [...r])),
      ['role: \'sideways\'', (fx) => new schannel.TlsEngine({ role: 'sideways', credential: fx.credential }), VALUE],
      ['credential: a SecurityContext', (fx) => new schannel.TlsEngine({ role: 'client', credential: fx.context }), TYPE],
      ['credential: missing', () => new schannel.TlsEngine({ role: 'client' }), TYPE],
      ['targetName: 5', (fx) => new schannel.TlsEngine({ role: 'client', credential: fx.credential, targetName: 5 }), TYPE],
      ['contextReq: NaN', (fx) => new schannel.TlsEngine({ role: 'client', credential: fx.credential, contextReq: NaN }), RANGE],
      ['onIncompleteCredentials: 5', (fx) => new schannel.TlsEngine({ role: 'client', credential: fx.credential, onIncompleteCredentials: 5 }), TYPE],
      ['alpnProtocols: \'h2\'', (fx) => new schannel.TlsEngine({ role: 'client', credential: fx.credential, alpnProtocols: 'h2' }), TYPE],
      ['alpnProtocols: [\'\']', (fx) => new schannel.TlsEngine({ role: 'client', credential: fx.credential, alpnProtocols: [''] }), VALUE],
      ['feed(\'text\')', (fx) => fx.engine().feed('ServerHello'), TYPE],
      ['feed(null)', (fx) => fx.engine().feed(null), TYPE],
      ['feed(5)', (fx) => fx.engine().feed(5), TYPE],
      ['write(\'text\') before the handshake', (fx) => fx.engine().write('hello'), TYPE],
      ['write(\'text\') when open', (fx) => fx.openEngine().write('hello'), TYPE],
      ['write(5) when open', (fx) => fx.openEngine().write(5), TYPE],
      ['alert(\'NOT_AN_ALERT\')', (fx) => fx.openEngine().alert('NOT_AN_ALERT', new Error('x')), VALUE],
      ['recycleOutgoing(a Buffer)', (fx) => fx.openEngine().recycleOutgoing(Buffer.alloc(4)), TYPE],
      ['recycleOutgoing([\'text\'])', (fx) => fx.openEngine().recycleOutgoing(['text']), TYPE],
    ],
  },
  runHandshake: {
    rows: [
      ['no arguments', () => schannel.runHandshake(), TYPE],
      ['engine: {}', () => schannel.runHandshake({}, { send() {}, receive: async () => null }), TYPE],
      ['transport: null', (fx) => schannel.runHandshake(fx.engine(), null), TYPE],
      ['transport: { send: 5 }', (fx) => schannel.runHandshake(fx.engine(), { send: 5, receive: async () => null }), TYPE],
      ['transport: { send } without receive', (fx) => schannel.runHandshake(fx.engine(), { send() {} }), TYPE],
    ],
  },

  // --- tls -------------------------------------------------------------------------------------
  connect: {
    rows: onConnect([
      ['no arguments (no port)', () => schannel.connect(), TYPE],
      ['a string that is not a port', () => schannel.connect('not a port'), TYPE],
      ['a symbol', () => schannel.connect(Symbol('x')), TYPE],
      ['options: a Proxy whose every trap throws', () => schannel.connect(throwingProxy()), BOOM],
      ['options.port: a getter that throws', () => schannel.connect(throwingGetter('port')), BOOM],
      ...UINT32.filter(([, , e]) => e !== OK).map(([label, value, expected]) => [`port: ${label}`, () => connectTo({ port: value }), expected]),
      ['port: 65536', () => connectTo({ port: 65536 }), code('RangeError', 'ERR_SOCKET_BAD_PORT')],
      ['host: 5', () => connectTo({ host: 5 }), TYPE],
      ['servername: 5', () => connectTo({ servername: 5 }), TYPE],
      ['servername: with a NUL (\'localhost\\0.evil.example\'), against a server whose certificate is for localhost', () => nulServername(), NUL_HOST],
      ['rejectUnauthorized: \'false\'', () => connectTo({ rejectUnauthorized: 'false' }), TYPE],
      ['checkServerIdentity: 5', () => connectTo({ checkServerIdentity: 5 }), TYPE],
      ['timeout: -1', () => connectTo({ timeout: -1 }), RANGE],
      ['timeout: NaN', () => connectTo({ timeout: NaN }), RANGE],
      ['timeout: \'1000\'', () => connectTo({ timeout: '1000' }), TYPE],
      ['revocation: \'sometimes\'', () => connectTo({ revocation: 'sometimes' }), VALUE],
      ['minVersion: \'TLSv9\'', () => connectTo({ minVersion: 'TLSv9' }), VALUE],
      ['minVersion above maxVersion', () => connectTo({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1' }), VALUE],
      ['maxVersion: 5', () => connectTo({ maxVersion: 5 }), TYPE],
      ['ALPNProtocols: \'h2\'', () => connectTo({ ALPNProtocols: 'h2' }), TYPE],
      ['ALPNProtocols: [5]', () => connectTo({ ALPNProtocols: [5] }), TYPE],
      ['ALPNProtocols: [\'\']', () => connectTo({ ALPNProtocols: [''] }), VALUE],
      ['ca: 5', () => connectTo({ ca: 5 }), TYPE],
      ['ca: [null]', () => connectTo({ ca: [null] }), TYPE],
      ['ca: text without a certificate', () => connectTo({ ca: 'not a certificate' }), VALUE],
      ['secureContext: 5', () => connectTo({ secureContext: 5 }), TYPE],
      ['secureContext: a node:tls SecureContext', () => connectTo({ secureContext: require('node:tls').createSecureContext({}) }), TYPE],
      ['secureContext: a context made from a server credential', () => connectTo({ secureContext: schannel.createSecureContext({ credential: schannel.acquireCredentialsHandle({ use: 'inbound', pfx: serverPfxBytes(), passphrase: 'test' }) }) }), VALUE],
      ['ca: [a good PEM, an empty Buffer]', () => connectTo({ ca: [p.root.certPem, Buffer.alloc(0)] }), VALUE],
      ['securityLevel: 6', () => connectTo({ securityLevel: 6 }), RANGE],
      ['securityLevel: \'2\'', () => connectTo({ securityLevel: '2' }), TYPE],
      ['ciphers: \'DEFAULT@SECLEVEL=9\'', () => connectTo({ ciphers: 'DEFAULT@SECLEVEL=9' }), RANGE],
      ['pfx: a string', () => connectTo({ pfx: 'base64 text' }), TYPE],
      ['pfx: 3 bytes that are not PKCS#12', () => connectTo({ pfx: Buffer.alloc(3) }), sch('CRYPT_E_BAD_ENCODE', 'ERR_SCHANNEL_PFX_INVALID')],
      ['passphrase: 5', () => connectTo({ pfx: serverPfxBytes(), passphrase: 5 }), TYPE],
      ['key and cert: numbers', () => connectTo({ key: 5, cert: 5 }), TYPE],
      ['key without cert', () => connectTo({ key: p.client.keyPem }), VALUE],
      ['certificate: {}', () => connectTo({ certificate: {} }), VALUE],
      ['certificate: { thumbprint: \'zz\' }', () => connectTo({ certificate: { thumbprint: 'zz' } }), VALUE],
      ['clientCertificate: 5', () => connectTo({ clientCertificate: 5 }), VALUE],
      ['signal: 5', () => connectTo({ signal: 5 }), TYPE],
      ['socket: 5', () => schannel.connect({ socket: 5 }), TYPE],
      ['socket: {}', () => schannel.connect({ socket: {} }), TYPE],
      // net checks family and lookup only for a name it must look up (for an IP address neither is used).
      ['family: \'IPv7\'', () => connectTo({ host: 'localhost', family: 'IPv7' }), VALUE],
      ['lookup: 5', () => connectTo({ host: 'localhost', lookup: 5 }), TYPE],
    ]),
  },
  createServer: {
    rows: [
      ...objectRows((o) => schannel.createServer(o), { nullOk: true }).filter(([label]) => !label.startsWith('null')),
      ['no certificate at all', () => schannel.createServer({}), TYPE],
      ...bytesRows('pfx', (o) => schannel.createServer(o)),
      ['pfx: 3 bytes that are not PKCS#12', () => schannel.createServer({ pfx: Buffer.alloc(3) }), sch('CRYPT_E_BAD_ENCODE', 'ERR_SCHANNEL_PFX_INVALID')],
      ['pfx with a wrong passphrase', () => schannel.createServer({ pfx: serverPfxBytes(), passphrase: 'wrong' }), SCH],
      ['credential: {}', () => schannel.createServer({ credential: {} }), TYPE],
      ['credential: a SecurityContext', (fx) => schannel.createServer({ credential: fx.context }), TYPE],
      ['credential: a disposed CredentialsHandle', (fx) => schannel.createServer({ credential: fx.disposedCredential }), sch('SEC_E_INVALID_HANDLE')],
      ['ALPNProtocols: \'h2\'', (fx) => schannel.createServer({ credential: fx.serverCredential, ALPNProtocols: 'h2' }), TYPE],
      ['requestCert: \'yes\'', (fx) => schannel.createServer({ credential: fx.serverCredential, requestCert: 'yes' }), TYPE],
      ['rejectUnauthorized: 0', (fx) => schannel.createServer({ credential: fx.serverCredential, rejectUnauthorized: 0 }), TYPE],
      ...uint32Rows('handshakeTimeout', (o) => schannel.createServer(o), (fx) => ({ credential: fx.serverCredential })),
      ['minVersion: \'TLSv9\'', () => schannel.createServer({ pfx: serverPfxBytes(), passphrase: 'test', minVersion: 'TLSv9' }), VALUE],
      ['ca: 5', (fx) => schannel.createServer({ credential: fx.serverCredential, requestCert: true, ca: 5 }), TYPE],
      ['ca: text without a certificate', (fx) => schannel.createServer({ credential: fx.serverCredential, requestCert: true, ca: 'not a certificate' }), VALUE],
      ['securityLevel: -1', (fx) => schannel.createServer({ credential: fx.serverCredential, securityLevel: -1 }), RANGE],
      ['revocation: \'sometimes\'', (fx) => schannel.createServer({ credential: fx.serverCredential, revocation: 'sometimes' }), VALUE],
      ['certificate: {}', () => schannel.createServer({ certificate: {} }), VALUE],
      getterRow('pfx', (o) => schannel.createServer(o)),
      ['SNICallback: 5', (fx) => schannel.createServer({ credential: fx.serverCredential, SNICallback: 5 }), TYPE],
      ['SNICallback: \'a string\'', (fx) => schannel.createServer({ credential: fx.serverCredential, SNICallback: 'choose' }), TYPE],
    ],
  },
  createSecureContext: {
    rows: [
      ...objectRows((o) => schannel.createSecureContext(o)),
      ['{} (no certificate: a client\'s context, as node:tls allows)', () => schannel.createSecureContext({}), OK],
      ['ca: 5', () => schannel.createSecureContext({ ca: 5 }), TYPE],
      ['ca: text without a certificate (as node:tls, refused when made)', () => schannel.createSecureContext({ ca: 'not a certificate' }), VALUE],
      ['maxVersion: \'TLSv9\' without a certificate', () => schannel.createSecureContext({ maxVersion: 'TLSv9' }), VALUE],
      ...bytesRows('pfx', (o) => schannel.createSecureContext(o)),
      ['pfx: 3 bytes that are not PKCS#12', () => schannel.createSecureContext({ pfx: Buffer.alloc(3) }), sch('CRYPT_E_BAD_ENCODE', 'ERR_SCHANNEL_PFX_INVALID')],
      ['pfx with a wrong passphrase', () => schannel.createSecureContext({ pfx: serverPfxBytes(), passphrase: 'wrong' }), SCH],
      ['key without cert', () => schannel.createSecureContext({ key: p.leaf.keyPem }), VALUE],
      ['credential: a SecurityContext', (fx) => schannel.createSecureContext({ credential: fx.context }), TYPE],
      ['credential: a disposed CredentialsHandle', (fx) => schannel.createSecureContext({ credential: fx.disposedCredential }), sch('SEC_E_INVALID_HANDLE')],
      ['minVersion: \'TLSv9\'', () => schannel.createSecureContext({ pfx: serverPfxBytes(), passphrase: 'test', minVersion: 'TLSv9' }), VALUE],
      ['certificate: {}', () => schannel.createSecureContext({ certificate: {} }), VALUE],
      getterRow('pfx', (o) => schannel.createSecureContext(o)),
      ['a good identity (a credential of the caller)', (fx) => schannel.createSecureContext({ credential: fx.serverCredential }), OK],
    ],
  },
  SchannelServer: {
    rows: [
      ['called without new', () => schannel.SchannelServer({}), NEW],
      ['null as the options', () => new schannel.SchannelServer(null), TYPE],
      ['5 as the options', () => new schannel.SchannelServer(5), TYPE],
      ['no certificate at all', () => new schannel.SchannelServer({}), TYPE],
      ['secureContext: a node:tls SecureContext', () => new schannel.SchannelServer({ secureContext: require('node:tls').createSecureContext({ key: p.leaf.keyPem, cert: p.leaf.certPem }) }), TYPE],
      ['secureContext: a context without a certificate', () => new schannel.SchannelServer({ secureContext: schannel.createSecureContext({}) }), VALUE],
      ['addContext(name, a context without a certificate)', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).addContext('a.example.test', schannel.createSecureContext({})), VALUE],
      ['setSecureContext(5)', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).setSecureContext(5), TYPE],
      ['setTicketKeys(\'x\')', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).setTicketKeys('x'), TYPE],
      ['setTicketKeys(3 bytes)', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).setTicketKeys(Buffer.alloc(3)), VALUE],
      ['setTicketKeys(48 bytes) (Schannel keeps its own)', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).setTicketKeys(Buffer.alloc(48)), sch('ERR_SCHANNEL_UNSUPPORTED_OPERATION')],
      ['getTicketKeys() (Schannel keeps its own)', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).getTicketKeys(), sch('ERR_SCHANNEL_UNSUPPORTED_OPERATION')],
      ['setSecureContext({}) (no certificate)', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).setSecureContext({}), TYPE],
      ['setSecureContext({ credential: a disposed one })', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).setSecureContext({ credential: fx.disposedCredential }), sch('SEC_E_INVALID_HANDLE')],
      ['addContext(5, a context)', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).addContext(5, schannel.createSecureContext({ credential: fx.serverCredential })), TYPE],
      ['addContext(\'\', a context) (as node:tls)', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).addContext('', { credential: fx.serverCredential }), code('Error', 'ERR_TLS_REQUIRED_SERVER_NAME')],
      ['addContext(a name with a NUL, a context)', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).addContext('a.example.test\0.evil', { credential: fx.serverCredential }), VALUE],
      ['addContext(name, 5)', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).addContext('a.example.test', 5), TYPE],
      ['addContext(name, {}) (no certificate)', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).addContext('a.example.test', {}), TYPE],
      ['addContext(name, a node:tls SecureContext)', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).addContext('a.example.test', require('node:tls').createSecureContext({ key: p.leaf.keyPem, cert: p.leaf.certPem })), TYPE],
      ['addContext(name, { credential: a disposed one })', (fx) => new schannel.SchannelServer({ credential: fx.serverCredential }).addContext('a.example.test', { credential: fx.disposedCredential }), sch('SEC_E_INVALID_HANDLE')],
    ],
  },
  SchannelSocket: {
    rows: [
      ['called without new', () => schannel.SchannelSocket({}), NEW],
      ['no options', () => new schannel.SchannelSocket(), TYPE],
      ['{}', () => new schannel.SchannelSocket({}), TYPE],
      ['transport: 5', (fx) => new schannel.SchannelSocket({ transport: 5, credential: fx.credential, role: 'client' }), TYPE],
      ['credential: a SecurityContext', (fx) => new schannel.SchannelSocket({ transport: new PassThrough(), credential: fx.context, role: 'client' }), TYPE],
      ['role: \'sideways\'', (fx) => new schannel.SchannelSocket({ transport: new PassThrough(), credential: fx.credential, role: 'sideways' }), VALUE],
      ['transport: a plain object', (fx) => new schannel.SchannelSocket({ transport: { write() {} }, credential: fx.credential, role: 'client' }), TYPE],
      ['ca: \'PEM\' (not a list)', (fx) => new schannel.SchannelSocket({ transport: new PassThrough(), credential: fx.credential, role: 'client', ca: 'PEM' }), TYPE],
      ['revocation: \'sometimes\'', (fx) => new schannel.SchannelSocket({ transport: new PassThrough(), credential: fx.credential, role: 'client', revocation: 'sometimes' }), VALUE],
      ['checkServerIdentity: 5', (fx) => new schannel.SchannelSocket({ transport: new PassThrough(), credential: fx.credential, role: 'client', checkServerIdentity: 5 }), TYPE],
      // tls.TLSSocket's methods with node:tls's argument errors, on a socket whose handshake has not
      // started (destroyed after the call).
      ...((on) => [
        ['setMaxSendFragment(\'512\')', (fx) => on(fx, (s) => s.setMaxSendFragment('512')), TYPE],
        ['setMaxSendFragment(1.5)', (fx) => on(fx, (s) => s.setMaxSendFragment(1.5)), RANGE],
        ['setMaxSendFragment(2 ** 31)', (fx) => on(fx, (s) => s.setMaxSendFragment(2 ** 31)), RANGE],
        ['setMaxSendFragment(511) (false, as node:tls)', (fx) => on(fx, (s) => s.setMaxSendFragment(511)), OK],
        ['exportKeyingMaterial(0, \'label\')', (fx) => on(fx, (s) => s.exportKeyingMaterial(0, 'label')), RANGE],
        ['exportKeyingMaterial(\'16\', \'label\')', (fx) => on(fx, (s) => s.exportKeyingMaterial('16', 'label')), TYPE],
        ['exportKeyingMaterial(16, 5)', (fx) => on(fx, (s) => s.exportKeyingMaterial(16, 5)), TYPE],
        ['exportKeyingMaterial(16, \'label\', \'context\')', (fx) => on(fx, (s) => s.exportKeyingMaterial(16, 'label', 'context')), TYPE],
        ['exportKeyingMaterial(16, \'label\') before the handshake', (fx) => on(fx, (s) => s.exportKeyingMaterial(16, 'label')), code('Error', 'ERR_TLS_INVALID_STATE')],
        ['renegotiate(null)', (fx) => on(fx, (s) => s.renegotiate(null)), TYPE],
        ['renegotiate({}, 5)', (fx) => on(fx, (s) => s.renegotiate({}, 5)), TYPE],
        ['setServername(5)', (fx) => on(fx, (s) => s.setServername(5)), TYPE],
        ['setSession(5)', (fx) => on(fx, (s) => s.setSession(5)), TYPE],
        ['setKeyCert(5)', (fx) => on(fx, (s) => s.setKeyCert(5)), TYPE],
        ['setKeyCert({}) (Schannel cannot)', (fx) => on(fx, (s) => s.setKeyCert({})), sch('ERR_SCHANNEL_UNSUPPORTED_OPERATION')],
      ])((fx, call) => {
        const socket = new schannel.SchannelSocket({ transport: new PassThrough(), credential: fx.credential, role: 'client' });
        try {
          return call(socket);
        } finally {
          socket.destroy();
        }
      }),
    ],
  },
  SchannelAgent: {
    rows: [
      ['called without new', () => schannel.SchannelAgent({}), NEW],
      // https.Agent checks TLS options when it connects, not when it is made; so does this one.
      ['5 as the options (like https.Agent: accepted)', () => new schannel.SchannelAgent(5), OK],
      ...onConnect([
        ['a request with ca: 5', () => agentRequest(new schannel.SchannelAgent({ ca: 5 })), TYPE],
        ['a request with ALPNProtocols: \'h2\'', () => agentRequest(new schannel.SchannelAgent({ ALPNProtocols: 'h2' })), TYPE],
        ['a request with minVersion: \'TLSv9\'', () => agentRequest(new schannel.SchannelAgent({ minVersion: 'TLSv9' })), VALUE],
        ['a request with rejectUnauthorized: \'no\'', () => agentRequest(new schannel.SchannelAgent({ rejectUnauthorized: 'no' })), TYPE],
        ['a request with pfx: \'text\'', () => agentRequest(new schannel.SchannelAgent({ pfx: 'text' })), TYPE],
      ]),
    ],
  },
  createFetchDispatcher: {
    rows: [
      ['5 as the options', () => schannel.createFetchDispatcher(5), TYPE],
      ['a symbol as the options', () => schannel.createFetchDispatcher(Symbol('x')), TYPE],
      ['allowH2: \'yes\'', () => schannel.createFetchDispatcher({ allowH2: 'yes' }), TYPE],
      ['ca: 5', () => schannel.createFetchDispatcher({ ca: 5 }), TYPE],
      ['minVersion: \'TLSv9\'', () => schannel.createFetchDispatcher({ minVersion: 'TLSv9' }), VALUE],
      ['connections: 0', () => schannel.createFetchDispatcher({ connections: 0 }), RANGE],
      ['keepAliveTimeout: \'1s\'', () => schannel.createFetchDispatcher({ keepAliveTimeout: '1s' }), TYPE],
      ['host: \'example.test\' (set per request)', () => schannel.createFetchDispatcher({ host: 'example.test' }), VALUE],
      ['rejectUnauthorized: \'no\'', () => schannel.createFetchDispatcher({ rejectUnauthorized: 'no' }), TYPE],
      ...onConnect([
        ['fetch() with ca: 5', () => dispatcherFetch(schannel.createFetchDispatcher({ ca: 5 })), TYPE],
        ['fetch() with minVersion: \'TLSv9\'', () => dispatcherFetch(schannel.createFetchDispatcher({ minVersion: 'TLSv9' })), VALUE],
        ['fetch() with timeout: -1', () => dispatcherFetch(schannel.createFetchDispatcher({ timeout: -1 })), RANGE],
      ]),
    ],
  },

  // --- handles ---------------------------------------------------------------------------------
  CredentialsHandle: {
    rows: [
      ['new CredentialsHandle()', () => new schannel.CredentialsHandle(), ILLEGAL],
      ['new CredentialsHandle({}, info).dispose()', () => new schannel.CredentialsHandle({}, { expiry: null, use: 'outbound', usedSchCredentials: true }).dispose(), ILLEGAL],
      ['a subclass constructed from outside', () => new (class extends schannel.CredentialsHandle {})({}, {}), ILLEGAL],
      ['dispose() on something else', () => schannel.CredentialsHandle.prototype.dispose.call({}), THIS],
      ['[Symbol.dispose]() on something else', () => schannel.CredentialsHandle.prototype[Symbol.dispose].call({}), THIS],
      ['share() on a SecurityContext', (fx) => schannel.CredentialsHandle.prototype.share.call(fx.context), THIS],
      ['the disposed getter on something else', () => Object.getOwnPropertyDescriptor(schannel.CredentialsHandle.prototype, 'disposed').get.call({}), THIS],
      ['share() after dispose()', (fx) => fx.disposedCredential.share(), sch('SEC_E_INVALID_HANDLE')],
      ['dispose() after dispose()', (fx) => fx.disposedCredential.dispose(), OK],
    ],
  },
  SecurityContext: {
    rows: [
      ['new SecurityContext()', () => new schannel.SecurityContext().dispose(), ILLEGAL],
      ['new SecurityContext(a credential\'s native side)', (fx) => new schannel.SecurityContext(fx.credential, 'client'), ILLEGAL],
      ['dispose() on something else', () => schannel.SecurityContext.prototype.dispose.call({}), THIS],
      ['[Symbol.dispose]() on a CredentialsHandle', (fx) => schannel.SecurityContext.prototype[Symbol.dispose].call(fx.credential), THIS],
      ['the deleted getter on a CredentialsHandle', (fx) => Object.getOwnPropertyDescriptor(schannel.SecurityContext.prototype, 'deleted').get.call(fx.credential), THIS],
      ['dispose() after dispose()', (fx) => fx.deletedContext.dispose(), OK],
    ],
  },

  // --- the 1:1 SSPI surface --------------------------------------------------------------------
  acquireCredentialsHandle: {
    rows: [
      ...objectRows((o) => schannel.acquireCredentialsHandle(o)),
      ['use: \'sideways\'', () => schannel.acquireCredentialsHandle({ use: 'sideways' }), VALUE],
      ['use: 2 (a SECPKG_CRED_* number)', () => schannel.acquireCredentialsHandle({ use: 2 }), VALUE],
      ['credentialFormat: \'SCHANNEL_CRED_V9\'', () => schannel.acquireCredentialsHandle({ credentialFormat: 'SCHANNEL_CRED_V9' }), VALUE],
      ['flags: a name as a string', () => schannel.acquireCredentialsHandle({ flags: 'MANUAL_CRED_VALIDATION' }), TYPE],
      ['flags: [\'NOT_A_FLAG\']', () => schannel.acquireCredentialsHandle({ flags: ['NOT_A_FLAG'] }), VALUE],
      ['flags: [\'toString\'] (a prototype key)', () => schannel.acquireCredentialsHandle({ flags: ['toString'] }), VALUE],
      ...uint32Rows('flags', (o) => schannel.acquireCredentialsHandle(o)),
      ...uint32Rows('enabledProtocols', (o) => schannel.acquireCredentialsHandle(o)),
      ...uint32Rows('sessionLifespan', (o) => schannel.acquireCredentialsHandle(o)),
      ...uint32Rows('minimumCipherStrength', (o) => schannel.acquireCredentialsHandle(o)).slice(0, 5),
      ...uint32Rows('maximumCipherStrength', (o) => schannel.acquireCredentialsHandle(o)).slice(0, 5),
      ['minVersion: \'TLSv9\'', () => schannel.acquireCredentialsHandle({ minVersion: 'TLSv9' }), VALUE],
      ['minVersion above maxVersion', () => schannel.acquireCredentialsHandle({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1' }), VALUE],
      ['supportedAlgs: \'x\'', () => schannel.acquireCredentialsHandle({ supportedAlgs: 'x' }), TYPE],
      ['supportedAlgs: [NaN]', () => schannel.acquireCredentialsHandle({ supportedAlgs: [NaN] }), RANGE],
      ['supportedAlgs: [1, \'x\']', () => schannel.acquireCredentialsHandle({ supportedAlgs: [1, 'x'] }), TYPE],
      ...stringRows('package', (o) => schannel.acquireCredentialsHandle(o)),
      ['package: \'NoSuchPackage\'', () => schannel.acquireCredentialsHandle({ package: 'NoSuchPackage' }), sch('SEC_E_SECPKG_NOT_FOUND')],
      ['package: a megabyte of text', () => schannel.acquireCredentialsHandle({ package: 'x'.repeat(1 << 20) }), sch('SEC_E_SECPKG_NOT_FOUND')],
      ...stringRows('principal', (o) => schannel.acquireCredentialsHandle(o)),
      ...bytesRows('pfx', (o) => schannel.acquireCredentialsHandle(o)),
      ['pfx: 3 bytes that are not PKCS#12', () => schannel.acquireCredentialsHandle({ pfx: Buffer.alloc(3) }), sch('CRYPT_E_BAD_ENCODE', 'ERR_SCHANNEL_PFX_INVALID')],
      ['pfx: empty', () => schannel.acquireCredentialsHandle({ pfx: Buffer.alloc(0) }), sch('CRYPT_E_BAD_ENCODE', 'ERR_SCHANNEL_PFX_INVALID')],
      ['pfx with a wrong passphrase', () => schannel.acquireCredentialsHandle({ pfx: serverPfxBytes(), passphrase: 'wrong' }), SCH],
      ['passphrase: 5', () => schannel.acquireCredentialsHandle({ pfx: serverPfxBytes(), passphrase: 5 }), TYPE],
      ['passphrase without pfx', () => schannel.acquireCredentialsHandle({ passphrase: 'secret' }), VALUE],
      ['certificate: 5', () => schannel.acquireCredentialsHandle({ certificate: 5 }), TYPE],
      ['certificate: {}', () => schannel.acquireCredentialsHandle({ certificate: {} }), VALUE],
      ['certificate: { thumbprint: 5 }', () => schannel.acquireCredentialsHandle({ certificate: { thumbprint: 5 } }), TYPE],
      ['certificate: { thumbprint: 19 bytes }', () => schannel.acquireCredentialsHandle({ certificate: { thumbprint: Buffer.alloc(19) } }), VALUE],
      ['certificate: { subject: \'\' }', () => schannel.acquireCredentialsHandle({ certificate: { subject: '' } }), VALUE],
      ['certificate: { location: \'Moon\', subject: \'x\' }', () => schannel.acquireCredentialsHandle({ certificate: { location: 'Moon', subject: 'x' } }), VALUE],
      ['certificate: { store: \'A\\\\B\', subject: \'x\' }', () => schannel.acquireCredentialsHandle({ certificate: { store: 'A\\B', subject: 'x' } }), VALUE],
      ['certificate and pfx together', () => schannel.acquireCredentialsHandle({ pfx: serverPfxBytes(), certificate: { subject: 'x' } }), VALUE],
      ['certificate: not in the store', () => schannel.acquireCredentialsHandle({ certificate: { thumbprint: 'A'.repeat(40) } }), sch('ERR_SCHANNEL_CERT_NOT_FOUND')],
      getterRow('use', (o) => schannel.acquireCredentialsHandle(o)),
      getterRow('pfx', (o) => schannel.acquireCredentialsHandle(o)),
    ],
  },
  initializeSecurityContext: {
    rows: (() => {
      const isc = (o, fx) => schannel.initializeSecurityContext({ credential: fx.credential, targetName: 'localhost', contextReq: CLIENT_REQ, ...o });
      return [
        ...objectRows((o) => schannel.initializeSecurityContext(o), { undefinedOk: false }),
        ['credential: a SecurityContext', (fx) => isc({ credential: fx.context }, fx), TYPE],
        ['credential: a look-alike object', (fx) => isc({ credential: { dispose() {}, disposed: false } }, fx), TYPE],
        ['credential: a disposed CredentialsHandle', (fx) => isc({ credential: fx.disposedCredential }, fx), sch('SEC_E_INVALID_HANDLE')],
        ['credential: null and no context', (fx) => isc({ credential: null }, fx), VALUE],
        ['context: a CredentialsHandle', (fx) => isc({ credential: null, context: fx.credential }, fx), TYPE],
        ['context: a deleted SecurityContext', (fx) => isc({ credential: null, context: fx.deletedContext, input: [{ type: 2, data: Buffer.alloc(8) }] }, fx), sch('SEC_E_INVALID_HANDLE')],
        ...stringRows('targetName', isc),
        ['targetName: with a NUL', (fx) => { const r = isc({ targetName: 'localhost\0.evil.example' }, fx); r.context?.dispose(); }, VALUE],
        ['contextReq: a name as a string', (fx) => isc({ contextReq: 'STREAM' }, fx), TYPE],
        ['contextReq: [\'NOT_A_FLAG\']', (fx) => isc({ contextReq: ['NOT_A_FLAG'] }, fx), VALUE],
        ...uint32Rows('contextReq', (o, fx) => { const r = isc(o, fx); r.context?.dispose(); }),
        ['reserved1: 1', (fx) => isc({ reserved1: 1 }, fx), VALUE],
        ['reserved2: \'0\'', (fx) => isc({ reserved2: '0' }, fx), VALUE],
        ...uint32Rows('targetDataRep', (o, fx) => { const r = isc(o, fx); r.context?.dispose(); }).filter(([, , e]) => e !== OK),
        ['input: a string', (fx) => isc({ input: 'ClientHello' }, fx), TYPE],
        ['input: [5]', (fx) => isc({ input: [5] }, fx), TYPE],
        ['input: [{ type: -1 }]', (fx) => isc({ input: [{ type: -1 }] }, fx), RANGE],
        ['input: [{ type: \'TOKEN\' }]', (fx) => isc({ input: [{ type: 'TOKEN', data: Buffer.alloc(1) }] }, fx), TYPE],
        ...NOT_BYTES.filter(([label]) => label !== 'null').map(([label, value]) => [`input[0].data: ${label}`, (fx) => isc({ input: [{ type: 2, data: value }] }, fx), TYPE]),
        ['output: an object, not a list', (fx) => isc({ output: { type: 2 } }, fx), TYPE],
        ['output: [{ type: 2, size: 2^32 }]', (fx) => isc({ output: [{ type: 2, size: 2 ** 32 }] }, fx), RANGE],
        ['output: [{ type: 2, size: NaN }]', (fx) => isc({ output: [{ type: 2, size: NaN }] }, fx), RANGE],
        ['output: [{ type: 2, size: 0 }] without ALLOCATE_MEMORY', (fx) => isc({ contextReq: ['STREAM', 'CONFIDENTIALITY'], output: [{ type: 2, size: 0 }] }, fx), SCH],
        getterRow('contextReq', (o) => schannel.initializeSecurityContext(o), (fx) => ({ credential: fx.credential })),
        getterRow('input', (o, fx) => schannel.initializeSecurityContext(o), (fx) => ({ credential: fx.credential, contextReq: CLIENT_REQ })),
      ];
    })(),
  },
  acceptSecurityContext: {
    rows: (() => {
      const asc = (o, fx) => schannel.acceptSecurityContext({ credential: fx.serverCredential, contextReq: SERVER_REQ, ...o });
      return [
        ...objectRows((o) => schannel.acceptSecurityContext(o), { undefinedOk: false }),
        ['credential: a SecurityContext', (fx) => asc({ credential: fx.context }, fx), TYPE],
        ['credential: a disposed CredentialsHandle', (fx) => asc({ credential: fx.disposedCredential, input: [{ type: 2, data: Buffer.alloc(8) }] }, fx), sch('SEC_E_INVALID_HANDLE')],
        ['context: a deleted SecurityContext', (fx) => asc({ context: fx.deletedContext, input: [{ type: 2, data: Buffer.alloc(8) }] }, fx), sch('SEC_E_INVALID_HANDLE')],
        ['contextReq: [\'NOT_A_FLAG\']', (fx) => asc({ contextReq: ['NOT_A_FLAG'] }, fx), VALUE],
        ...uint32Rows('contextReq', asc).filter(([, , e]) => e !== OK),
        ['input: a string', (fx) => asc({ input: 'ClientHello' }, fx), TYPE],
        ['input: a TOKEN of garbage', (fx) => { const r = asc({ input: [{ type: 2, data: Buffer.from('GET / HTTP/1.1\r\n\r\n') }, { type: 0 }] }, fx); r.context?.dispose(); return r.statusName === 'SEC_E_INCOMPLETE_MESSAGE' ? Promise.reject(Object.assign(new schannel.SchannelError('incomplete', { code: 'SEC_E_INCOMPLETE_MESSAGE' }))) : r; }, SCH],
        getterRow('credential', (o) => schannel.acceptSecurityContext(o)),
      ];
    })(),
  },
  completeAuthToken: {
    rows: [
      ['context: {}', () => schannel.completeAuthToken({}, []), TYPE],
      ['context: a CredentialsHandle', (fx) => schannel.completeAuthToken(fx.credential, []), TYPE],
      ['buffers: a string', (fx) => schannel.completeAuthToken(fx.context, 'buffers'), TYPE],
      ['buffers: [{ type: NaN }]', (fx) => schannel.completeAuthToken(fx.context, [{ type: NaN }]), RANGE],
      ['a deleted context', (fx) => schannel.completeAuthToken(fx.deletedContext, []), sch('SEC_E_INVALID_HANDLE')],
      ['a context that needs no completion', (fx) => schannel.completeAuthToken(fx.context, []), SCH],
    ],
  },
  deleteSecurityContext: {
    rows: [
      ['no argument', () => schannel.deleteSecurityContext(), TYPE],
      ['a CredentialsHandle', (fx) => schannel.deleteSecurityContext(fx.credential), TYPE],
      ['a look-alike made from the prototype', () => schannel.deleteSecurityContext(Object.create(schannel.SecurityContext.prototype)), TYPE],
      ['a deleted context', (fx) => schannel.deleteSecurityContext(fx.deletedContext), sch('SEC_E_INVALID_HANDLE')],
    ],
  },
  applyControlToken: {
    rows: [
      ['context: \'context\'', () => schannel.applyControlToken('context', 'shutdown'), TYPE],
      ['context: a CredentialsHandle', (fx) => schannel.applyControlToken(fx.credential, 'shutdown'), TYPE],
      ['a deleted context', (fx) => schannel.applyControlToken(fx.deletedContext, 'shutdown'), sch('SEC_E_INVALID_HANDLE')],
      ['token: 5', (fx) => schannel.applyControlToken(fx.freshContext(), 5), TYPE],
      ['token: \'close\'', (fx) => schannel.applyControlToken(fx.freshContext(), 'close'), TYPE],
      ['token: {}', (fx) => schannel.applyControlToken(fx.freshContext(), {}), VALUE],
      ['token: an empty Buffer', (fx) => schannel.applyControlToken(fx.freshContext(), Buffer.alloc(0)), SCH],
      ['token: a 1-byte Buffer', (fx) => schannel.applyControlToken(fx.freshContext(), Buffer.alloc(1)), SCH],
    ],
  },
  encodeControlToken: {
    rows: [
      ['no argument', () => schannel.encodeControlToken(), TYPE],
      ['null', () => schannel.encodeControlToken(null), TYPE],
      ['\'close\'', () => schannel.encodeControlToken('close'), TYPE],
      ['{}', () => schannel.encodeControlToken({}), VALUE],
      ['{ alert: 5 }', () => schannel.encodeControlToken({ alert: 5 }), TYPE],
      ['{ alert: { type: \'loud\', number: \'CLOSE_NOTIFY\' } }', () => schannel.encodeControlToken({ alert: { type: 'loud', number: 'CLOSE_NOTIFY' } }), ARG],
      ['{ alert: { type: \'fatal\', number: \'NOT_AN_ALERT\' } }', () => schannel.encodeControlToken({ alert: { type: 'fatal', number: 'NOT_AN_ALERT' } }), VALUE],
      ['{ alert: { type: \'fatal\', number: \'toString\' } } (a prototype key)', () => schannel.encodeControlToken({ alert: { type: 'fatal', number: 'toString' } }), ARG],
      ['{ alert: { type: -1, number: 40 } }', () => schannel.encodeControlToken({ alert: { type: -1, number: 40 } }), RANGE],
      ...UINT32.map(([label, value, expected]) => [`{ session: ${label} }`, () => schannel.encodeControlToken({ session: value }), expected]),
      ['a Proxy whose every trap throws', () => schannel.encodeControlToken(throwingProxy()), BOOM],
    ],
  },
  encryptMessage: {
    rows: [
      ['context: a CredentialsHandle', (fx) => schannel.encryptMessage(fx.credential, Buffer.from('x')), TYPE],
      ['context: undefined', () => schannel.encryptMessage(undefined, Buffer.from('x')), TYPE],
      ...NOT_BYTES.map(([label, value]) => [`data: ${label}`, (fx) => schannel.encryptMessage(fx.context, value), TYPE]),
      ['data: missing', (fx) => schannel.encryptMessage(fx.context), TYPE],
      ['a deleted context', (fx) => schannel.encryptMessage(fx.deletedContext, Buffer.from('x')), sch('SEC_E_INVALID_HANDLE')],
      ['a context still in its handshake', (fx) => { const r = schannel.initializeSecurityContext({ credential: fx.credential, targetName: 'localhost', contextReq: CLIENT_REQ }); try { return schannel.encryptMessage(r.context, Buffer.from('x')); } finally { r.context.dispose(); } }, SCH],
    ],
  },
  encryptMessageInto: {
    rows: [
      ['context: a CredentialsHandle', (fx) => schannel.encryptMessageInto(fx.credential, Buffer.from('x'), Buffer.alloc(4096)), TYPE],
      ...NOT_BYTES.map(([label, value]) => [`data: ${label}`, (fx) => schannel.encryptMessageInto(fx.context, value, Buffer.alloc(4096)), TYPE]),
      ...NOT_BYTES.map(([label, value]) => [`out: ${label}`, (fx) => schannel.encryptMessageInto(fx.context, Buffer.from('x'), value), TYPE]),
      ['out: too small for the records', (fx) => schannel.encryptMessageInto(fx.context, Buffer.from('x'), Buffer.alloc(8)), RANGE],
      ['offset: past the end of out', (fx) => schannel.encryptMessageInto(fx.context, Buffer.from('x'), Buffer.alloc(4096), 4097), RANGE],
      ['offset: -1', (fx) => schannel.encryptMessageInto(fx.context, Buffer.from('x'), Buffer.alloc(4096), -1), RANGE],
      ['offset: 1.5', (fx) => schannel.encryptMessageInto(fx.context, Buffer.from('x'), Buffer.alloc(4096), 1.5), RANGE],
      ['offset: \'0\'', (fx) => schannel.encryptMessageInto(fx.context, Buffer.from('x'), Buffer.alloc(4096), '0'), TYPE],
      ['out overlapping data', (fx) => { const b = Buffer.alloc(4096); return schannel.encryptMessageInto(fx.context, b.subarray(0, 100), b, 50); }, VALUE],
      ['a deleted context', (fx) => schannel.encryptMessageInto(fx.deletedContext, Buffer.from('x'), Buffer.alloc(4096)), sch('SEC_E_INVALID_HANDLE')],
    ],
  },
  encryptedSizeBound: {
    rows: [
      ['context: a CredentialsHandle', (fx) => schannel.encryptedSizeBound(fx.credential, 1), TYPE],
      ['length: \'1\'', (fx) => schannel.encryptedSizeBound(fx.context, '1'), TYPE],
      ['length: -1', (fx) => schannel.encryptedSizeBound(fx.context, -1), RANGE],
      ['length: 0.5', (fx) => schannel.encryptedSizeBound(fx.context, 0.5), RANGE],
      ['length: 2^32', (fx) => schannel.encryptedSizeBound(fx.context, 2 ** 32), RANGE],
      ['a deleted context', (fx) => schannel.encryptedSizeBound(fx.deletedContext, 1), sch('SEC_E_INVALID_HANDLE')],
    ],
  },
  decryptMessage: {
    rows: [
      ['context: a CredentialsHandle', (fx) => schannel.decryptMessage(fx.credential, fx.records), TYPE],
      ...NOT_BYTES.map(([label, value]) => [`data: ${label}`, (fx) => schannel.decryptMessage(fx.context, value), TYPE]),
      ['a deleted context', (fx) => schannel.decryptMessage(fx.deletedContext, fx.records), sch('SEC_E_INVALID_HANDLE')],
      ['a record of random bytes', (fx) => schannel.decryptMessage(fx.freshContext(), Buffer.concat([Buffer.from([23, 3, 3, 0, 64]), Buffer.alloc(64, 7)])), SCH],
      ['a record meant for another connection', (fx) => schannel.decryptMessage(fx.freshContext(), fx.records), SCH],
    ],
  },
  decryptRecords: {
    rows: [
      ['context: a CredentialsHandle', (fx) => schannel.decryptRecords(fx.credential, fx.records), TYPE],
      ...NOT_BYTES.map(([label, value]) => [`data: ${label}`, (fx) => schannel.decryptRecords(fx.context, value), TYPE]),
      ['a deleted context', (fx) => schannel.decryptRecords(fx.deletedContext, fx.records), sch('SEC_E_INVALID_HANDLE')],
      ['a record of random bytes', (fx) => schannel.decryptRecords(fx.freshContext(), Buffer.concat([Buffer.from([23, 3, 3, 0, 64]), Buffer.alloc(64, 7)])), SCH],
    ],
  },
  queryContextAttributes: {
    rows: [
      ['context: a CredentialsHandle', (fx) => schannel.queryContextAttributes(fx.credential, 'STREAM_SIZES'), TYPE],
      ['name: a SECPKG_ATTR_* number', (fx) => schannel.queryContextAttributes(fx.context, 0x5a), TYPE],
      ['name: \'NOT_AN_ATTRIBUTE\'', (fx) => schannel.queryContextAttributes(fx.context, 'NOT_AN_ATTRIBUTE'), VALUE],
      ['name: \'toString\' (a prototype key)', (fx) => schannel.queryContextAttributes(fx.context, 'toString'), VALUE],
      ['name: \'__proto__\'', (fx) => schannel.queryContextAttributes(fx.context, '__proto__'), VALUE],
      ['name: a symbol', (fx) => schannel.queryContextAttributes(fx.context, Symbol('STREAM_SIZES')), TYPE],
      ['a deleted context', (fx) => schannel.queryContextAttributes(fx.deletedContext, 'STREAM_SIZES'), sch('SEC_E_INVALID_HANDLE')],
    ],
  },
  applicationProtocolsBuffer: {
    rows: [
      ['\'h2\'', () => schannel.applicationProtocolsBuffer('h2'), TYPE],
      ['[]', () => schannel.applicationProtocolsBuffer([]), VALUE],
      ['[5]', () => schannel.applicationProtocolsBuffer([5]), TYPE],
      ['[null]', () => schannel.applicationProtocolsBuffer([null]), TYPE],
      ['[\'\']', () => schannel.applicationProtocolsBuffer(['']), VALUE],
      ['a 256-byte name', () => schannel.applicationProtocolsBuffer(['x'.repeat(256)]), VALUE],
      ['300 names of 255 bytes (over 64 KiB)', () => schannel.applicationProtocolsBuffer(new Array(300).fill('x'.repeat(255))), VALUE],
    ],
  },
  encodeApplicationProtocols: {
    rows: [
      ['undefined', () => schannel.encodeApplicationProtocols(), TYPE],
      ['\'h2\'', () => schannel.encodeApplicationProtocols('h2'), TYPE],
      ['[\'\']', () => schannel.encodeApplicationProtocols(['']), VALUE],
      ['[Symbol()]', () => schannel.encodeApplicationProtocols([Symbol('h2')]), TYPE],
    ],
  },
  bufferTypeName: {
    rows: [
      ['a string', () => schannel.bufferTypeName('TOKEN'), TYPE],
      ['null', () => schannel.bufferTypeName(null), TYPE],
      ['NaN', () => schannel.bufferTypeName(NaN), RANGE],
      ['-0', () => schannel.bufferTypeName(-0), OK],
    ],
  },
  formatStatusHex: { rows: STATUS.map(([label, value, expected]) => [label, () => schannel.formatStatusHex(value), expected]) },
  statusName: { rows: STATUS.map(([label, value, expected]) => [label, () => schannel.statusName(value), expected]) },
  isSuccessStatus: { rows: STATUS.map(([label, value, expected]) => [label, () => schannel.isSuccessStatus(value), expected]) },
  isFailureStatus: { rows: STATUS.map(([label, value, expected]) => [label, () => schannel.isFailureStatus(value), expected]) },
  describeStatus: { rows: STATUS.map(([label, value, expected]) => [label, () => schannel.describeStatus(value), expected]) },
  flagNames: {
    rows: [
      ['table: null', () => schannel.flagNames(null, 1), TYPE],
      ...STATUS.filter(([label]) => label !== '-1 (0xFFFFFFFF)').map(([label, value, expected]) => [`value: ${label}`, () => schannel.flagNames(schannel.IscReq, value), expected]),
    ],
  },
  combineFlags: {
    rows: [
      ['table: null', () => schannel.combineFlags(null, ['STREAM']), TYPE],
      ['names: a string', () => schannel.combineFlags(schannel.IscReq, 'STREAM'), TYPE],
      ['names: [\'NOT_A_FLAG\']', () => schannel.combineFlags(schannel.IscReq, ['NOT_A_FLAG']), VALUE],
      ['names: [5]', () => schannel.combineFlags(schannel.IscReq, [5]), VALUE],
      ['names: [\'constructor\'] (a prototype key)', () => schannel.combineFlags(schannel.IscReq, ['constructor']), VALUE],
    ],
  },
  enumName: {
    rows: [
      ['table: null', () => schannel.enumName(null, 1), TYPE],
      ['value: NaN (no name)', () => schannel.enumName(schannel.AlgId, NaN), OK],
    ],
  },
  protocolName: { rows: STATUS.filter(([label]) => label !== '-1 (0xFFFFFFFF)').map(([label, value, expected]) => [label, () => schannel.protocolName(value), expected]) },
  protocolsBetween: {
    rows: [
      ['min: 1', () => schannel.protocolsBetween(1, undefined, 'client'), TYPE],
      ['min: \'TLSv9\'', () => schannel.protocolsBetween('TLSv9', undefined, 'client'), VALUE],
      ['max: \'tls1.2\'', () => schannel.protocolsBetween(undefined, 'tls1.2', 'client'), VALUE],
      ['min above max', () => schannel.protocolsBetween('TLSv1.3', 'TLSv1', 'client'), VALUE],
      ['side: \'both\'', () => schannel.protocolsBetween(undefined, undefined, 'both'), VALUE],
      ['side: missing', () => schannel.protocolsBetween('TLSv1.2', 'TLSv1.3'), VALUE],
    ],
  },

  // --- errors ----------------------------------------------------------------------------------
  SchannelError: {
    rows: [
      ['called without new', () => schannel.SchannelError('x', { code: 'X' }), NEW],
      ['no options', () => new schannel.SchannelError('message'), TYPE],
      ['options.code: 5', () => new schannel.SchannelError('message', { code: 5 }), TYPE],
      ['options.status: \'x\'', () => new schannel.SchannelError('message', { code: 'X', status: 'x' }), TYPE],
      ['fromStatus(\'x\')', () => schannel.SchannelError.fromStatus('x', 'Fn'), TYPE],
      ['fromStatus(NaN)', () => schannel.SchannelError.fromStatus(NaN, 'Fn'), RANGE],
    ],
  },
  VerificationError: {
    rows: [
      ['no options', () => new schannel.VerificationError('message'), TYPE],
    ],
  },
  describeReceived: {
    rows: [
      ['a symbol', () => schannel.describeReceived(Symbol('x')), OK],
      ['-0', () => schannel.describeReceived(-0), OK],
      ['a bigint', () => schannel.describeReceived(10n ** 30n), OK],
      ['an object without a prototype', () => schannel.describeReceived(Object.create(null)), OK],
      ['a Proxy whose every trap throws', () => schannel.describeReceived(throwingProxy()), BOOM],
    ],
  },
  invalidArgType: {
    rows: [
      ['name: 5', () => schannel.invalidArgType(5, 'string', 1), TYPE],
      ['expected: 5', () => schannel.invalidArgType('x', 5, 1), TYPE],
      ['actual: anything (a symbol)', () => schannel.invalidArgType('x', 'string', Symbol('y')), OK],
    ],
  },
  invalidArgValue: {
    rows: [
      ['name: 5', () => schannel.invalidArgValue(5, 1), TYPE],
      ['value: a Proxy whose every trap throws', () => schannel.invalidArgValue('x', throwingProxy()), OK],
    ],
  },
  invalidArgValueRange: {
    rows: [
      ['name: 5', () => schannel.invalidArgValueRange(5, 1), TYPE],
    ],
  },
  outOfRange: {
    rows: [
      ['name: 5', () => schannel.outOfRange(5, '>= 0', 1), TYPE],
      ['range: 5', () => schannel.outOfRange('x', 5, 1), TYPE],
      ['value: a bigint', () => schannel.outOfRange('x', '>= 0', 2n ** 64n), OK],
    ],
  },

  // --- certificates ----------------------------------------------------------------------------
  verifyCertificateChain: {
    rows: (() => {
      const verify = (o, fx) => schannel.verifyCertificateChain({ chain: [fx.der, p.intermediate.der], ca: p.root.certPem, ...o });
      const reject = (call) => async (fx) => {
        const promise = call(fx);
        assert.ok(promise instanceof Promise, 'an async API reports bad input as a rejection, not a throw');
        return promise;
      };
      return [
        ...objectRows((o) => schannel.verifyCertificateChain(o), { undefinedOk: false }).map(([label, call, expected]) => [label, reject(call), expected]),
        ['chain: []', reject((fx) => verify({ chain: [] }, fx)), VALUE],
        ['chain: a Buffer, not a list', reject((fx) => verify({ chain: fx.der }, fx)), TYPE],
        ...NOT_BYTES.map(([label, value]) => [`chain[0]: ${label}`, reject((fx) => verify({ chain: [value] }, fx)), TYPE]),
        ['chain[0]: 3 bytes that are not a certificate', reject((fx) => verify({ chain: [Buffer.alloc(3)] }, fx)), SCH],
        ['chain[0]: empty', reject((fx) => verify({ chain: [Buffer.alloc(0)] }, fx)), SCH],
        ['host: 5', reject((fx) => verify({ host: 5 }, fx)), TYPE],
        ['host: \'\'', reject((fx) => verify({ host: '' }, fx)), VALUE],
        ['host: with a NUL (\'localhost\\0.evil.example\')', (fx) => verify({ host: 'localhost\0.evil.example' }, fx).then((outcome) => { if (outcome.authorized) throw new Error('authorized for localhost\\0.evil.example'); throw outcome.error; }), NUL_HOST],
        ['role: \'peer\'', reject((fx) => verify({ role: 'peer' }, fx)), VALUE],
        ['revocation: \'sometimes\'', reject((fx) => verify({ revocation: 'sometimes' }, fx)), VALUE],
        ['ca: 5', reject((fx) => verify({ ca: 5 }, fx)), TYPE],
        ['ca: text without a certificate', reject((fx) => verify({ ca: 'not a certificate' }, fx)), VALUE],
        ['ca: [Buffer(0)]', reject((fx) => verify({ ca: [Buffer.alloc(0)] }, fx)), VALUE],
        ['time: \'now\'', reject((fx) => verify({ time: 'now' }, fx)), TYPE],
        ['time: an invalid Date', reject((fx) => verify({ time: new Date(NaN) }, fx)), VALUE],
        ['a getter for chain that throws', reject(() => schannel.verifyCertificateChain(throwingGetter('chain'))), BOOM],
      ];
    })(),
  },
  verifyCertificateChainSync: {
    rows: (() => {
      const verify = (o, fx) => schannel.verifyCertificateChainSync({ chain: [fx.der, p.intermediate.der], ca: p.root.certPem, ...o });
      return [
        ...objectRows((o) => schannel.verifyCertificateChainSync(o), { undefinedOk: false }),
        ['chain: []', (fx) => verify({ chain: [] }, fx), VALUE],
        ...NOT_BYTES.map(([label, value]) => [`chain[0]: ${label}`, (fx) => verify({ chain: [value] }, fx), TYPE]),
        ['chain[0]: 3 bytes that are not a certificate', (fx) => verify({ chain: [Buffer.alloc(3)] }, fx), SCH],
        ['chain[0]: a DER length that runs past the end', (fx) => verify({ chain: [Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00])] }, fx), SCH],
        ['host: with a NUL', (fx) => { const outcome = verify({ host: 'localhost\0.evil.example' }, fx); if (outcome.authorized) throw new Error('authorized'); throw outcome.error; }, NUL_HOST],
        ['time: 0 (a number)', (fx) => verify({ time: 0 }, fx), TYPE],
        getterRow('ca', (o) => schannel.verifyCertificateChainSync(o)),
      ];
    })(),
  },
  trustErrorNames: {
    rows: [
      ['a string', () => schannel.trustErrorNames('0x10'), TYPE],
      ['a symbol', () => schannel.trustErrorNames(Symbol('x')), TYPE],
      ['a bigint', () => schannel.trustErrorNames(16n), TYPE],
      ['-0', () => schannel.trustErrorNames(-0), OK],
    ],
  },
  trustInfoNames: {
    rows: [
      ['a bigint', () => schannel.trustInfoNames(16n), TYPE],
      ['NaN', () => schannel.trustInfoNames(NaN), RANGE],
    ],
  },
  peerCertificateObject: {
    rows: [
      ['no argument', () => schannel.peerCertificateObject(), TYPE],
      ['chain: [5]', () => schannel.peerCertificateObject([5]), TYPE],
      ['chain: a Buffer, not a list', (fx) => schannel.peerCertificateObject(fx.der), TYPE],
      ['detailed: \'yes\'', (fx) => schannel.peerCertificateObject([fx.der], 'yes'), TYPE],
      ['chain: [3 bytes]', () => schannel.peerCertificateObject([Buffer.alloc(3)]), CRYPTO],
      ['an empty chain', () => schannel.peerCertificateObject([]), OK],
    ],
  },

  // --- certificate stores ----------------------------------------------------------------------
  describeCertificate: {
    rows: [
      ['der: 5', () => schannel.describeCertificate(5), TYPE],
      ['der: 3 bytes', () => schannel.describeCertificate(Buffer.alloc(3)), CRYPTO],
      ['der: null', () => schannel.describeCertificate(null), TYPE],
      ['meta: 5 (ignored)', (fx) => schannel.describeCertificate(fx.der, 5), OK],
    ],
  },
  toPem: {
    rows: [
      ['null', () => schannel.toPem(null), TYPE],
      ['a string', () => schannel.toPem('MIIB'), TYPE],
      ['5', () => schannel.toPem(5), TYPE],
    ],
  },
  commonName: {
    rows: [
      ['null', () => schannel.commonName(null), TYPE],
      ['5', () => schannel.commonName(5), TYPE],
      ['{ CN: [] }', () => schannel.commonName({ CN: [] }), OK],
    ],
  },
  normalizeThumbprint: {
    rows: [
      ['5', () => schannel.normalizeThumbprint(5), TYPE],
      ['\'zz\'', () => schannel.normalizeThumbprint('zz'), VALUE],
      ['39 hex digits', () => schannel.normalizeThumbprint('A'.repeat(39)), VALUE],
      ['19 bytes', () => schannel.normalizeThumbprint(Buffer.alloc(19)), VALUE],
      ['a megabyte of hex', () => schannel.normalizeThumbprint('A'.repeat(1 << 20)), VALUE],
    ],
  },
  thumbprintOf: {
    rows: [
      ['5', () => schannel.thumbprintOf(5), TYPE],
      ['a string', () => schannel.thumbprintOf('MIIB'), TYPE],
    ],
  },
  certificateNames: {
    rows: [
      ['5', () => schannel.certificateNames(5), TYPE],
      ['3 bytes', () => schannel.certificateNames(Buffer.alloc(3)), VALUE],
      ['a length that runs past the end', () => schannel.certificateNames(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff])), VALUE],
    ],
  },
  certificateKeyUsages: {
    rows: [
      ['null', () => schannel.certificateKeyUsages(null), TYPE],
      ['3 bytes', () => schannel.certificateKeyUsages(Buffer.alloc(3)), VALUE],
    ],
  },
  extKeyUsageNames: constant,
  listCertificates: {
    rows: [
      ...objectRows((o) => schannel.listCertificates(o)),
      ['location: \'Moon\'', () => schannel.listCertificates({ location: 'Moon' }), VALUE],
      ['store: 5', () => schannel.listCertificates({ store: 5 }), TYPE],
      ['store: \'\'', () => schannel.listCertificates({ store: '' }), VALUE],
      ['store: \'A\\\\B\'', () => schannel.listCertificates({ store: 'A\\B' }), VALUE],
      ['store: with a NUL', () => schannel.listCertificates({ store: 'MY\0X' }), VALUE],
      ['a store that does not exist', () => schannel.listCertificates({ store: 'NoSuchStore330' }), sch('ERR_SCHANNEL_STORE_NOT_FOUND')],
    ],
  },
  findCertificates: {
    rows: [
      ['{}', () => schannel.findCertificates({}), VALUE],
      ['thumbprint and subject', () => schannel.findCertificates({ thumbprint: 'A'.repeat(40), subject: 'x' }), VALUE],
      ['thumbprint: 5', () => schannel.findCertificates({ thumbprint: 5 }), TYPE],
      ['subject: \'\'', () => schannel.findCertificates({ subject: '' }), VALUE],
      ['issuer: 5', () => schannel.findCertificates({ issuer: 5 }), TYPE],
      getterRow('subject', (o) => schannel.findCertificates(o)),
    ],
  },
  findCertificate: {
    rows: [
      ['no options', () => schannel.findCertificate(), TYPE],
      ['subject with a NUL', () => schannel.findCertificate({ subject: 'a\0b' }), VALUE],
      ['not there', () => schannel.findCertificate({ thumbprint: 'A'.repeat(40) }), sch('ERR_SCHANNEL_CERT_NOT_FOUND')],
    ],
  },
  addCertificate: {
    // Every row fails before anything is added: a store is never changed here.
    rows: [
      ['no options', () => schannel.addCertificate(), TYPE],
      ['neither cert nor pfx', () => schannel.addCertificate({}), VALUE],
      ['both cert and pfx', () => schannel.addCertificate({ cert: p.leaf.certPem, pfx: serverPfxBytes() }), VALUE],
      ['cert: 5', () => schannel.addCertificate({ cert: 5 }), TYPE],
      ['cert: text without a certificate', () => schannel.addCertificate({ cert: 'garbage' }), VALUE],
      ['cert: 3 bytes', () => schannel.addCertificate({ cert: Buffer.alloc(3) }), VALUE],
      ['pfx: a string', () => schannel.addCertificate({ pfx: 'text' }), TYPE],
      ['pfx: 3 bytes', () => schannel.addCertificate({ pfx: Buffer.alloc(3) }), sch('ERR_SCHANNEL_PFX_INVALID')],
      ['passphrase without pfx', () => schannel.addCertificate({ cert: p.leaf.certPem, passphrase: 'x' }), VALUE],
      ['createStore: \'yes\'', () => schannel.addCertificate({ cert: p.leaf.certPem, createStore: 'yes' }), TYPE],
      ['location: \'Moon\'', () => schannel.addCertificate({ cert: p.leaf.certPem, location: 'Moon' }), VALUE],
    ],
  },
  removeCertificate: {
    rows: [
      ['no thumbprint', () => schannel.removeCertificate({}), TYPE],
      ['thumbprint: \'zz\'', () => schannel.removeCertificate({ thumbprint: 'zz' }), VALUE],
      ['deleteKey: \'yes\'', () => schannel.removeCertificate({ thumbprint: 'A'.repeat(40), deleteKey: 'yes' }), TYPE],
      ['not there', () => schannel.removeCertificate({ thumbprint: 'A'.repeat(40) }), sch('ERR_SCHANNEL_CERT_NOT_FOUND')],
    ],
  },
  importPfx: {
    rows: [
      ['no argument', () => schannel.importPfx(), TYPE],
      ['a string', () => schannel.importPfx('base64'), TYPE],
      ['3 bytes', () => schannel.importPfx(Buffer.alloc(3)), sch('ERR_SCHANNEL_PFX_INVALID')],
      ['passphrase: 5', () => schannel.importPfx(serverPfxBytes(), 5), TYPE],
      // Wine's PFXImportCertStore fails a wrong password with E_FAIL, not ERROR_INVALID_PASSWORD.
      ['a wrong passphrase', () => schannel.importPfx(serverPfxBytes(), 'wrong'), sch(...(isWine ? ['ERR_SCHANNEL_PFX_PASSPHRASE', 'ERR_SCHANNEL_PFX_IMPORT'] : ['ERR_SCHANNEL_PFX_PASSPHRASE']))],
    ],
  },
  PfxCertificateStore: {
    rows: [
      ['new PfxCertificateStore()', () => new schannel.PfxCertificateStore(), ILLEGAL],
      ['acquireCredentials() on something else', () => schannel.PfxCertificateStore.prototype.acquireCredentials.call({}), THIS],
      ['toTlsOptions() on null', () => schannel.PfxCertificateStore.prototype.toTlsOptions.call(null), THIS],
      ['acquireCredentials(5)', () => schannel.importPfx(serverPfxBytes(), 'test').acquireCredentials(5), TYPE],
      ['acquireCredentials({ pfx })', () => schannel.importPfx(serverPfxBytes(), 'test').acquireCredentials({ pfx: serverPfxBytes() }), VALUE],
      ['acquireCredentials({ use: \'sideways\' })', () => schannel.importPfx(serverPfxBytes(), 'test').acquireCredentials({ use: 'sideways' }), VALUE],
    ],
  },
  exportSystemRootCertificates: { rows: [...objectRows((o) => schannel.exportSystemRootCertificates(o)), ['includeIntermediates: 1', () => schannel.exportSystemRootCertificates({ includeIntermediates: 1 }), TYPE]] },
  useSystemCertificates: { rows: [...objectRows((o) => schannel.useSystemCertificates(o)), ['includeIntermediates: \'yes\'', () => schannel.useSystemCertificates({ includeIntermediates: 'yes' }), TYPE]] },
  systemRootCertificates: { rows: [...objectRows((o) => schannel.systemRootCertificates(o)), ['includeIntermediates: 0', () => schannel.systemRootCertificates({ includeIntermediates: 0 }), TYPE]] },
  selectClientCertificate: {
    rows: [
      ['issuers: \'x\'', () => schannel.selectClientCertificate('x', []), TYPE],
      ['issuers: [\'x\']', () => schannel.selectClientCertificate(['x'], []), TYPE],
      ['candidates: \'x\'', () => schannel.selectClientCertificate([], 'x'), TYPE],
      ['candidates: [null]', () => schannel.selectClientCertificate([], [null]), TYPE],
      ['candidates: [5]', () => schannel.selectClientCertificate([], [5]), TYPE],
      ['options.now: \'today\'', (fx) => schannel.selectClientCertificate([], [fx.info], { now: 'today' }), TYPE],
    ],
  },
  selectClientCertificateFromStore: {
    rows: [
      ['issuers: \'x\'', () => schannel.selectClientCertificateFromStore('x'), TYPE],
      ['options: 5', () => schannel.selectClientCertificateFromStore([], 5), TYPE],
      ['options.location: \'Moon\'', () => schannel.selectClientCertificateFromStore([], { location: 'Moon' }), VALUE],
    ],
  },
  clientCertificateProblem: {
    rows: [
      ['candidate: null', () => schannel.clientCertificateProblem(null, []), TYPE],
      ['issuers: \'x\'', (fx) => schannel.clientCertificateProblem(fx.info, 'x'), TYPE],
      ['a candidate without raw bytes', (fx) => schannel.clientCertificateProblem({ ...fx.info, raw: undefined }, []), TYPE],
      ['options.now: an invalid Date', (fx) => schannel.clientCertificateProblem(fx.info, [], { now: new Date(NaN) }), VALUE],
      ['options.chainCertificates: [5]', (fx) => schannel.clientCertificateProblem(fx.info, [], { chainCertificates: [5] }), TYPE],
      ['a description, no issuers', (fx) => schannel.clientCertificateProblem(fx.info, []), OK],
    ],
  },

  // --- constant tables -------------------------------------------------------------------------
  SecStatus: constant, statusDescriptions: constant, IscSuccessStatuses: constant, DecryptSuccessStatuses: constant,
  IscReq: constant, IscRet: constant, AscReq: constant, AscRet: constant, SECBUFFER_VERSION: constant, SecBufferType: constant,
  SecBufferFlags: constant, SECBUFFER_ATTRMASK: constant, SchCredFlags: constant, SpProt: constant, SecPkgAttr: constant, AlgId: constant,
  SchannelControlToken: constant, SslSessionFlags: constant, TlsAlertType: constant, TlsAlert: constant, SecPkgCredUse: constant,
  SecurityDrep: constant, tlsVersions: constant, DEFAULT_MIN_VERSION: constant, DEFAULT_MAX_VERSION: constant,
  UNKNOWN_STATUS_CODE_PREFIX: constant, contextAttributeNames: constant, CertTrustError: constant, CertTrustInfo: constant,
};

// ------------------------------------------------------------------------------------------------
// Running a row

const rowId = (name, label) => `${name}: ${label}`;

function allRows() {
  const rows = [];
  for (const [name, entry] of Object.entries(table)) {
    for (const [label, call, expected, flags = {}] of entry.rows ?? []) rows.push({ id: rowId(name, label), name, label, call, expected, ...flags });
  }
  return rows;
}

function cleanUp(value) {
  if (value === null || typeof value !== 'object') return;
  try {
    if (typeof value.destroy === 'function') value.destroy();
    else if (typeof value.dispose === 'function') value.dispose();
    if (typeof value.close === 'function' && typeof value.listening === 'boolean') value.close();
    if (value.context && typeof value.context.dispose === 'function') value.context.dispose();
  } catch {
    // best effort: the row is about the call, not about the clean-up
  }
}

/** Plays one row in this process: { threw } or { returned } (a returned promise is awaited). */
async function play(row) {
  const fx = row.child ? {} : fixtures();
  try {
    let value = row.call(fx);
    if (value && typeof value.then === 'function') value = await value;
    cleanUp(value);
    return { returned: value === undefined ? 'undefined' : value === null ? 'null' : (value.constructor?.name ?? typeof value) };
  } catch (error) {
    return { threw: error };
  }
}

const describeError = (e) => (e instanceof Error ? `${e.name}${e.code ? ` [${e.code}]` : ''}: ${e.message}` : `a thrown ${typeof e}: ${String(e)}`);

function judge(row, outcome) {
  const { expected } = row;
  if (expected.ok) {
    if (outcome.threw !== undefined) assert.fail(`expected it to be accepted; threw ${describeError(outcome.threw)}`);
    return;
  }
  if (outcome.threw === undefined) assert.fail(`expected ${expected.describe}; returned ${outcome.returned}`);
  if (!expected.test(outcome.threw)) assert.fail(`expected ${expected.describe}; got ${describeError(outcome.threw)}`);
}

/** A child node.exe plays the row; resolves to its outcome, or to { crashed } when it did not survive. */
function playInChild(row) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
      env: { ...process.env, SCHANNEL_BAD_INPUT_ROW: row.id },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill(), 20_000);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const line = /^OUTCOME (.*)$/m.exec(stdout)?.[1];
      const survived = /^SURVIVED$/m.test(stdout) && exitCode === 0;
      if (!line || !survived) {
        resolvePromise({ crashed: `the child ${exitCode === null ? `was killed (${signal})` : `exited ${exitCode}`}${line ? ` after: ${line}` : ''}\n${stderr.split('\n').slice(0, 12).join('\n')}` });
        return;
      }
      const parsed = JSON.parse(line);
      if (parsed.threw) {
        const error = parsed.threw.isBoom ? boom : parsed.threw.isSchannel ? Object.assign(new schannel.SchannelError(parsed.threw.message, { code: parsed.threw.code }), { name: 'SchannelError' }) : Object.assign(new (parsed.threw.name === 'RangeError' ? RangeError : parsed.threw.name === 'TypeError' ? TypeError : Error)(parsed.threw.message), { code: parsed.threw.code });
        if (!['TypeError', 'RangeError', 'Error', 'SchannelError'].includes(parsed.threw.name)) error.name = parsed.threw.name;
        resolvePromise({ threw: error });
      } else {
        resolvePromise({ returned: parsed.returned });
      }
    });
  });
}

async function childMain(id) {
  const row = allRows().find((r) => r.id === id);
  if (!row) {
    console.log(`OUTCOME ${JSON.stringify({ threw: { name: 'Error', message: `no row ${id}` } })}`);
    process.exitCode = 2;
    return;
  }
  const outcome = await play(row);
  const threw = outcome.threw;
  const report = threw === undefined
    ? { returned: outcome.returned }
    : { threw: { name: threw?.name, code: threw?.code, message: String(threw?.message), isBoom: threw === boom, isSchannel: threw instanceof schannel.SchannelError } };
  console.log(`OUTCOME ${JSON.stringify(report)}`);
  // Whatever the call left behind (a socket, a timer) gets time to fail loudly before we say so.
  setTimeout(() => {
    console.log('SURVIVED');
    process.exit(0);
  }, 400).unref();
  await new Promise((resolvePromise) => setTimeout(resolvePromise, 450));
}

// ------------------------------------------------------------------------------------------------

if (CHILD_ROW) {
  await childMain(CHILD_ROW);
} else {
  describe('the table covers the public surface', () => {
    it('every export of require(\'schannel\') has an entry, and every entry is an export (a new export without rows fails here)', () => {
      const exported = Object.keys(schannel).sort();
      const missing = exported.filter((name) => !(name in table));
      assert.deepEqual(missing, [], `exports without an entry in 330.bad-input.test.mjs: ${missing.join(', ')}`);
      const stale = Object.keys(table).filter((name) => !(name in schannel));
      assert.deepEqual(stale, [], `entries for names that are no longer exported: ${stale.join(', ')}`);
    });

    it('every function and class has rows (or says why it takes no input), and every constant entry is a constant', () => {
      for (const [name, entry] of Object.entries(table)) {
        const isFunction = typeof schannel[name] === 'function';
        if (entry.constant) {
          assert.equal(isFunction, false, `${name} is a function now: give it rows`);
          continue;
        }
        assert.equal(isFunction, true, `${name} is not a function: mark it constant`);
        assert.ok(entry.rows.length > 0 || entry.noInput, `${name} has no rows`);
      }
    });

    it('the exported tables of constants cannot be changed by a caller', () => {
      const mutable = Object.entries(table)
        .filter(([name, entry]) => entry.constant && schannel[name] !== null && typeof schannel[name] === 'object' && !Object.isFrozen(schannel[name]))
        .map(([name]) => name);
      assert.deepEqual(mutable, []);
    });
  });

  const byName = new Map();
  for (const row of allRows()) {
    if (!byName.has(row.name)) byName.set(row.name, []);
    byName.get(row.name).push(row);
  }

  // The child rows of a function start together, a few processes at a time, when its suite begins.
  const CHILDREN_AT_ONCE = 3;
  function startChildren(rows) {
    const outcomes = new Map();
    const queue = rows.filter((row) => row.child);
    const next = () => {
      const row = queue.shift();
      if (!row) return;
      outcomes.set(row.id, playInChild(row).finally(next));
    };
    for (let i = 0; i < CHILDREN_AT_ONCE; i++) next();
    // Rows still queued get their promise when a slot frees; until then, wait for it.
    return (row) => (async () => {
      while (!outcomes.has(row.id)) await new Promise((r) => setTimeout(r, 20));
      return outcomes.get(row.id);
    })();
  }

  describe('bad input, export by export', () => {
    // Fixtures are made when the first row needs them, and released here.
    after(() => {
      for (const handle of made.splice(0)) handle.dispose();
      fixtureSet = undefined;
      schannel.clearCredentialCache();
    });
    for (const [name, rows] of byName) defineRows(name, rows);
  });

  function defineRows(name, rows) {
    describe(name, () => {
      let childOutcome;
      if (rows.some((row) => row.child)) before(() => { childOutcome = startChildren(rows); });
      for (const row of rows) {
        const title = `${row.label} → ${row.expected.ok ? 'accepted' : row.expected.describe}${row.child ? ' (in a child process)' : ''}`;
        it(title, { todo: row.bug ? `product bug: ${row.bug}` : false, timeout: row.child ? 60_000 : 10_000 }, async () => {
          const outcome = row.child ? await childOutcome(row) : await play(row);
          if (outcome.crashed) assert.fail(`crashed: ${outcome.crashed}`);
          judge(row, outcome);
        });
      }
    });
  }
}
