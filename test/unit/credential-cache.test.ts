// The credential cache's key: two option sets share a credential only when every option, nested
// ones included, is the same. A key that ignored `certificate: { thumbprint }` once made a server
// present its first store certificate after setSecureContext() named another.
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../lib/tls/credential-cache';

describe('credential cache key', () => {
  it('differs when only a nested option differs', () => {
    const a = cacheKey({ use: 'inbound', certificate: { store: 'MY', thumbprint: 'A'.repeat(40) } });
    const b = cacheKey({ use: 'inbound', certificate: { store: 'MY', thumbprint: 'B'.repeat(40) } });
    expect(a).not.toBe(b);
    expect(cacheKey({ certificate: { store: 'MY' } })).not.toBe(cacheKey({ certificate: { store: 'ROOT' } }));
    expect(cacheKey({ certificate: { thumbprint: Buffer.alloc(20, 1) } })).not.toBe(cacheKey({ certificate: { thumbprint: Buffer.alloc(20, 2) } }));
  });

  it('is the same for the same options in any key order, and ignores keys set to undefined', () => {
    expect(cacheKey({ use: 'outbound', minVersion: 'TLSv1.2', certificate: { thumbprint: 'AB', store: 'MY' } }))
      .toBe(cacheKey({ certificate: { store: 'MY', thumbprint: 'AB' }, minVersion: 'TLSv1.2', use: 'outbound', maxVersion: undefined }));
  });

  it('tells PFX bytes and passphrases apart', () => {
    expect(cacheKey({ pfx: Buffer.from([1, 2]), passphrase: 'a' })).not.toBe(cacheKey({ pfx: Buffer.from([1, 2]), passphrase: 'b' }));
    expect(cacheKey({ pfx: Buffer.from([1, 2]) })).not.toBe(cacheKey({ pfx: Buffer.from([1, 3]) }));
  });

  it('takes values JSON cannot write (a bigint, a symbol) without throwing, so the argument check after it speaks', () => {
    expect(() => cacheKey({ flags: 10n } as never)).not.toThrow();
    expect(() => cacheKey({ flags: Symbol('x') } as never)).not.toThrow();
  });
});
