// The suite number from a ServerHello, and the name a socket reports from it.
import { describe, expect, it } from 'vitest';
import { serverHelloCipherSuite } from '../../lib/engine/records';
import { openSslCipherName, standardCipherName } from '../../lib/tls/cipher-names';

/** A ServerHello handshake message with the given session id and suite. */
function serverHello(suite: number, sessionId: Buffer = Buffer.alloc(32, 9)): Buffer {
  const body = Buffer.concat([
    Buffer.from([0x03, 0x03]), Buffer.alloc(32, 1), Buffer.from([sessionId.length]), sessionId,
    Buffer.from([suite >> 8, suite & 0xff, 0x00]), Buffer.from([0x00, 0x00]),
  ]);
  return Buffer.concat([Buffer.from([0x02, 0, body.length >> 8, body.length & 0xff]), body]);
}
function records(payload: Buffer, sizes: number[], type = 0x16): Buffer {
  const out: Buffer[] = [];
  let offset = 0;
  for (const size of [...sizes, payload.length]) {
    const piece = payload.subarray(offset, Math.min(payload.length, offset + size));
    if (piece.length === 0) break;
    out.push(Buffer.from([type, 0x03, 0x03, piece.length >> 8, piece.length & 0xff]), piece);
    offset += piece.length;
  }
  return Buffer.concat(out);
}

describe('serverHelloCipherSuite', () => {
  it('reads the suite after a session id of any length 0..32', () => {
    for (const length of [0, 1, 32]) expect(serverHelloCipherSuite(records(serverHello(0xc02f, Buffer.alloc(length, 5)), []))).toBe(0xc02f);
  });
  it('joins a ServerHello cut across records, and ignores what follows it', () => {
    const flight = Buffer.concat([records(serverHello(0x1301), [10, 20]), records(Buffer.alloc(40, 0xaa), [])]);
    expect(serverHelloCipherSuite(flight)).toBe(0x1301);
  });
  it('is null for anything that is not a whole ServerHello in handshake records', () => {
    const hello = serverHello(0xc030);
    expect(serverHelloCipherSuite(Buffer.alloc(0))).toBeNull();
    expect(serverHelloCipherSuite(records(hello.subarray(0, 40), []))).toBeNull();
    expect(serverHelloCipherSuite(records(hello, [], 0x17))).toBeNull();
    const clientHello = Buffer.from(hello);
    clientHello[0] = 0x01;
    expect(serverHelloCipherSuite(records(clientHello, []))).toBeNull();
    const longSession = Buffer.from(hello);
    longSession[4 + 34] = 33;
    expect(serverHelloCipherSuite(records(longSession, []))).toBeNull();
  });
});

describe('standardCipherName', () => {
  it('prefers Schannel\'s number, then the ServerHello\'s, then Schannel\'s name', () => {
    expect(standardCipherName({ cipherSuite: 0xc030, cipherSuiteName: 'x' }, 0xc02f)).toBe('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
    // Wine: number 0 and a name that does not exist.
    expect(standardCipherName({ cipherSuite: 0, cipherSuiteName: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA384' }, 0xc02f)).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(standardCipherName({ cipherSuite: 0xffee, cipherSuiteName: 'TLS_SOMETHING_NEW' }, null)).toBe('TLS_SOMETHING_NEW');
    expect(standardCipherName(null, 0xffee)).toBe('0xFFEE');
    expect(standardCipherName(null, null)).toBeNull();
  });
  it('every name in the number table has an OpenSSL name (TLS 1.3 suites have the same name in both)', () => {
    for (let suite = 0; suite <= 0xffff; suite++) {
      const name = standardCipherName(null, suite);
      if (name === null || name.startsWith('0x')) continue; // not in the table
      const tls13 = /^TLS_(AES|CHACHA20)_/.test(name);
      if (tls13) expect(openSslCipherName(name)).toBe(name);
      else expect(openSslCipherName(name)).not.toBe(name);
    }
  });
});
