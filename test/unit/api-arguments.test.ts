// Arguments are checked in TypeScript before anything crosses to native code, so these hold on any
// platform: a wrong type is a TypeError with Node's code, never a crash.
import { describe, expect, it } from 'vitest';
import * as schannel from '../../lib';

const typeError = (code = 'ERR_INVALID_ARG_TYPE') => expect.objectContaining({ name: 'TypeError', code });

describe('acquireCredentialsHandle arguments', () => {
  it.each([
    [{ use: 'sideways' }, 'ERR_INVALID_ARG_VALUE'],
    [{ credentialFormat: 'SCHANNEL_CRED_V9' }, 'ERR_INVALID_ARG_VALUE'],
    [{ flags: ['NOT_A_FLAG'] }, 'ERR_INVALID_ARG_VALUE'],
    [{ flags: 'MANUAL_CRED_VALIDATION' }, 'ERR_INVALID_ARG_TYPE'],
    [{ package: 42 }, 'ERR_INVALID_ARG_TYPE'],
    [{ pfx: 'not a buffer' }, 'ERR_INVALID_ARG_TYPE'],
    [{ passphrase: 'secret' }, 'ERR_INVALID_ARG_VALUE'],
    [{ supportedAlgs: [1, 'x'] }, 'ERR_INVALID_ARG_TYPE'],
  ])('rejects %j with %s', (options, code) => {
    expect(() => schannel.acquireCredentialsHandle(options as never)).toThrowError(typeError(code));
  });

  it('rejects out-of-range numbers with ERR_OUT_OF_RANGE', () => {
    expect(() => schannel.acquireCredentialsHandle({ sessionLifespan: -1 })).toThrowError(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
    );
    expect(() => schannel.acquireCredentialsHandle({ enabledProtocols: 2 ** 32 })).toThrowError(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
  });

  it('rejects a non-object', () => {
    expect(() => schannel.acquireCredentialsHandle('outbound' as never)).toThrowError(typeError());
  });
});

describe('handle arguments', () => {
  const fakeCredential = { dispose() {}, disposed: false };

  it('initializeSecurityContext wants a CredentialsHandle, not a look-alike', () => {
    expect(() => schannel.initializeSecurityContext({ credential: fakeCredential as never, contextReq: 0 })).toThrowError(
      typeError(),
    );
  });

  it('initializeSecurityContext needs a credential or a context', () => {
    expect(() => schannel.initializeSecurityContext({ credential: null, contextReq: 0 })).toThrowError(
      typeError('ERR_INVALID_ARG_VALUE'),
    );
  });

  it.each([
    ['encryptMessage', () => schannel.encryptMessage({} as never, Buffer.alloc(1))],
    ['decryptMessage', () => schannel.decryptMessage(null as never, Buffer.alloc(1))],
    ['queryContextAttributes', () => schannel.queryContextAttributes('ctx' as never, 'STREAM_SIZES')],
    ['applyControlToken', () => schannel.applyControlToken(1 as never, 'shutdown')],
    ['deleteSecurityContext', () => schannel.deleteSecurityContext(undefined as never)],
    ['completeAuthToken', () => schannel.completeAuthToken([] as never, [])],
  ])('%s wants a SecurityContext', (_name, call) => {
    expect(call).toThrowError(typeError());
  });
});

describe('applicationProtocolsBuffer', () => {
  it('lays out SEC_APPLICATION_PROTOCOLS with one ALPN list', () => {
    const buffer = schannel.applicationProtocolsBuffer(['h2', 'http/1.1']);
    expect(buffer.type).toBe(schannel.SecBufferType.APPLICATION_PROTOCOLS);
    const data = buffer.data as Buffer;
    const list = Buffer.from('\x02h2\x08http/1.1', 'latin1');
    expect(data.readUInt32LE(0)).toBe(4 + 2 + list.length); // ProtocolListsSize
    expect(data.readUInt32LE(4)).toBe(2); // SecApplicationProtocolNegotiationExt_ALPN
    expect(data.readUInt16LE(8)).toBe(list.length);
    expect(data.subarray(10)).toEqual(list);
  });

  it('rejects empty lists, empty names and names over 255 bytes', () => {
    expect(() => schannel.encodeApplicationProtocols([])).toThrowError(typeError('ERR_INVALID_ARG_VALUE'));
    expect(() => schannel.encodeApplicationProtocols([''])).toThrowError(typeError('ERR_INVALID_ARG_VALUE'));
    expect(() => schannel.encodeApplicationProtocols(['x'.repeat(256)])).toThrowError(typeError('ERR_INVALID_ARG_VALUE'));
  });
});

describe('encodeControlToken', () => {
  it('builds SCHANNEL_SHUTDOWN, SCHANNEL_ALERT_TOKEN and SCHANNEL_SESSION_TOKEN', () => {
    expect(schannel.encodeControlToken('shutdown')).toEqual(Buffer.from([1, 0, 0, 0]));
    const alert = schannel.encodeControlToken({ alert: { type: 'fatal', number: 'HANDSHAKE_FAILURE' } });
    expect([alert.readUInt32LE(0), alert.readUInt32LE(4), alert.readUInt32LE(8)]).toEqual([2, 2, 40]);
    const session = schannel.encodeControlToken({ session: schannel.SslSessionFlags.DISABLE_RECONNECTS });
    expect([session.readUInt32LE(0), session.readUInt32LE(4)]).toEqual([3, 2]);
  });

  it('rejects unknown alert names and shapes', () => {
    expect(() => schannel.encodeControlToken({ alert: { type: 'fatal', number: 'NOPE' as never } })).toThrowError(
      typeError('ERR_INVALID_ARG_VALUE'),
    );
    expect(() => schannel.encodeControlToken({ bogus: 1 } as never)).toThrowError(typeError('ERR_INVALID_ARG_VALUE'));
  });
});
