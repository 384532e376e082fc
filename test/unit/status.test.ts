import { existsSync, readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  SecStatus,
  type SecStatusName,
  statusName,
  statusAliases,
  formatStatusHex,
  isSuccessStatus,
  isFailureStatus,
  statusDescriptions,
  describeStatus,
  IscSuccessStatuses,
  DecryptSuccessStatuses,
} from '../../lib/sspi/status';

const winerror = '/usr/x86_64-w64-mingw32/include/winerror.h';
const headerMissing = !existsSync(winerror);

// name -> value for every status macro of the families we mirror. Aliases
// (`#define SEC_E_NO_SPM SEC_E_INTERNAL_ERROR`) are resolved to their target.
function readWinerror(pattern: RegExp): Map<string, number> {
  const raw = new Map<string, string>();
  for (const line of readFileSync(winerror, 'utf8').split('\n')) {
    const m = /^#define\s+(\w+)\s+(.+?)\s*$/.exec(line);
    if (m && pattern.test(m[1]) && !raw.has(m[1])) raw.set(m[1], m[2]);
  }
  const resolve = (expr: string, depth = 0): number => {
    const hex = /^(?:_HRESULT_TYPEDEF_\(|\(\(HRESULT\))(0x[0-9A-Fa-f]+)L?\)+$/.exec(expr);
    if (hex) return Number.parseInt(hex[1], 16) >>> 0;
    const target = raw.get(expr);
    if (target !== undefined && depth < 5) return resolve(target, depth + 1);
    throw new Error(`cannot evaluate ${expr}`);
  };
  return new Map([...raw].map(([name, expr]) => [name, resolve(expr)]));
}

const mirrored = /^((SEC_E|SEC_I|CERT_E|TRUST_E|CRYPT_E)_\w+|E_INVALIDARG|E_OUTOFMEMORY|NTE_BAD_KEYSET|NTE_BAD_DATA|NTE_BAD_SIGNATURE)$/;

describe('SecStatus table', () => {
  it.skipIf(headerMissing)('has every SEC_E_/SEC_I_ code of winerror.h with the same value (skips when MinGW winerror.h is absent)', () => {
    const header = readWinerror(/^SEC_[EI]_/);
    expect(header.size).toBeGreaterThan(90);
    for (const [name, value] of header) {
      expect({ name, value: (SecStatus as Record<string, number>)[name] }).toEqual({ name, value });
    }
  });

  it.skipIf(headerMissing)('has every CERT_E_/TRUST_E_/CRYPT_E_ code of winerror.h with the same value (skips when the header is absent)', () => {
    const header = readWinerror(/^(CERT_E|TRUST_E|CRYPT_E)_/);
    for (const [name, value] of header) {
      expect({ name, value: (SecStatus as Record<string, number>)[name] }).toEqual({ name, value });
    }
  });

  it.skipIf(headerMissing)('holds nothing that winerror.h does not define (skips when the header is absent)', () => {
    const header = readWinerror(mirrored);
    for (const [name, value] of Object.entries(SecStatus)) {
      expect({ name, value: header.get(name) }).toEqual({ name, value });
    }
  });

  it('stores every value as an unsigned 32-bit integer', () => {
    for (const value of Object.values(SecStatus)) {
      expect(Number.isInteger(value) && value >= 0 && value <= 0xffffffff).toBe(true);
    }
    expect(SecStatus.SEC_E_INVALID_TOKEN).toBe(0x80090308);
    expect(SecStatus.SEC_E_INVALID_TOKEN).toBeGreaterThan(0);
  });

  it('includes the codes a TLS validator reports', () => {
    const required: SecStatusName[] = [
      'TRUST_E_CERT_SIGNATURE', 'TRUST_E_BASIC_CONSTRAINTS', 'TRUST_E_NOSIGNATURE', 'TRUST_E_FAIL',
      'TRUST_E_EXPLICIT_DISTRUST', 'CRYPT_E_REVOKED', 'CRYPT_E_NO_REVOCATION_CHECK', 'CRYPT_E_REVOCATION_OFFLINE',
      'CRYPT_E_NOT_FOUND', 'CRYPT_E_BAD_ENCODE', 'CRYPT_E_ASN1_BADTAG', 'CRYPT_E_NO_MATCH', 'CRYPT_E_EXISTS',
      'E_INVALIDARG', 'E_OUTOFMEMORY', 'NTE_BAD_KEYSET', 'NTE_BAD_DATA', 'NTE_BAD_SIGNATURE',
      'CERT_E_EXPIRED', 'CERT_E_UNTRUSTEDROOT', 'CERT_E_CN_NO_MATCH', 'CERT_E_REVOKED',
    ];
    for (const name of required) expect(SecStatus[name], name).toBeTypeOf('number');
    expect(SecStatus.CERT_E_CN_NO_MATCH).toBe(0x800b010f);
    expect(SecStatus.CRYPT_E_REVOCATION_OFFLINE).toBe(0x80092013);
    expect(SecStatus.E_INVALIDARG).toBe(0x80070057);
  });

  it('keeps both names of each shared value', () => {
    expect(SecStatus.SEC_E_NOT_SUPPORTED).toBe(SecStatus.SEC_E_UNSUPPORTED_FUNCTION);
    expect(SecStatus.SEC_E_NO_SPM).toBe(SecStatus.SEC_E_INTERNAL_ERROR);
    const groups = [...statusAliases().values()].map((g) => [...g].sort());
    expect(groups.sort()).toEqual([
      ['SEC_E_INTERNAL_ERROR', 'SEC_E_NO_SPM'],
      ['SEC_E_NOT_SUPPORTED', 'SEC_E_UNSUPPORTED_FUNCTION'],
    ]);
  });
});

describe('statusName', () => {
  it('names known values', () => {
    expect(statusName(0)).toBe('SEC_E_OK');
    expect(statusName(0x00090312)).toBe('SEC_I_CONTINUE_NEEDED');
    expect(statusName(0x80090308)).toBe('SEC_E_INVALID_TOKEN');
    expect(statusName(0x80090318)).toBe('SEC_E_INCOMPLETE_MESSAGE');
    expect(statusName(0x800b0109)).toBe('CERT_E_UNTRUSTEDROOT');
  });

  it('picks the InitializeSecurityContext (Schannel) spelling for shared values', () => {
    expect(statusName(SecStatus.SEC_E_NOT_SUPPORTED)).toBe('SEC_E_UNSUPPORTED_FUNCTION');
    expect(statusName(SecStatus.SEC_E_NO_SPM)).toBe('SEC_E_INTERNAL_ERROR');
    expect(statusName(SecStatus.SEC_E_INSUFFICIENT_MEMORY)).toBe('SEC_E_INSUFFICIENT_MEMORY');
  });

  it('has exactly one canonical name per shared value, itself one of the aliases', () => {
    for (const [value, names] of statusAliases()) {
      expect(names).toContain(statusName(value));
    }
  });

  it('round-trips every unaliased name', () => {
    const shared = new Set(statusAliases().keys());
    for (const [name, value] of Object.entries(SecStatus)) {
      if (!shared.has(value)) expect(statusName(value)).toBe(name);
    }
  });

  it('accepts signed int32 input', () => {
    expect(statusName(0x80090308 | 0)).toBe('SEC_E_INVALID_TOKEN');
    expect(statusName(-2146893048)).toBe('SEC_E_INVALID_TOKEN');
    expect(statusName(-2146762487)).toBe('CERT_E_UNTRUSTEDROOT');
  });

  it('formats unknown values as 0x%08X', () => {
    expect(statusName(0x80091234)).toBe('0x80091234');
    expect(statusName(0x80091234 | 0)).toBe('0x80091234');
    expect(statusName(0x1234)).toBe('0x00001234');
    expect(statusName(0xdeadbeef)).toBe('0xDEADBEEF');
    expect(formatStatusHex(-1)).toBe('0xFFFFFFFF');
  });

  it('rejects values that are not 32-bit integers', () => {
    expect(() => statusName('0x80090308' as unknown as number)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => statusName(1.5)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => statusName(Number.NaN)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => statusName(2 ** 32)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => statusName(-(2 ** 31) - 1)).toThrow(RangeError);
  });
});

describe('isSuccessStatus / isFailureStatus', () => {
  it('follows the severity bit', () => {
    expect(isSuccessStatus(SecStatus.SEC_E_OK)).toBe(true);
    for (const [name, value] of Object.entries(SecStatus)) {
      if (name.startsWith('SEC_I_')) {
        expect(isSuccessStatus(value), name).toBe(true);
        expect(isFailureStatus(value), name).toBe(false);
      } else if (name !== 'SEC_E_OK') {
        expect(isSuccessStatus(value), name).toBe(false);
        expect(isFailureStatus(value), name).toBe(true);
      }
    }
  });

  it('treats SEC_E_INCOMPLETE_MESSAGE as a failure by severity', () => {
    expect(isFailureStatus(SecStatus.SEC_E_INCOMPLETE_MESSAGE)).toBe(true);
  });

  it('accepts negative int32 input', () => {
    expect(isFailureStatus(-2146893048)).toBe(true);
    expect(isSuccessStatus(-1)).toBe(false);
    expect(isSuccessStatus(0x7fffffff)).toBe(true);
  });
});

describe('statusDescriptions / describeStatus', () => {
  it('describes every SEC_E/SEC_I/CERT_E/TRUST_E/CRYPT_E code in one sentence', () => {
    for (const name of Object.keys(SecStatus) as SecStatusName[]) {
      if (!/^(SEC_[EI]|CERT_E|TRUST_E|CRYPT_E)_/.test(name)) continue;
      const text = statusDescriptions[name];
      expect(text, name).toBeTypeOf('string');
      expect(text, name).toMatch(/^[A-Z][^\n]*\.$/);
      expect(text!.split(/\.\s/).length, name).toBe(1);
      expect(text, name).not.toContain(name);
    }
  });

  it('has no descriptions for names outside the table', () => {
    for (const name of Object.keys(statusDescriptions)) expect(SecStatus).toHaveProperty(name);
  });

  it('returns the description, a generic sentence, or the hex', () => {
    expect(describeStatus(SecStatus.SEC_E_INVALID_TOKEN)).toBe(statusDescriptions.SEC_E_INVALID_TOKEN);
    expect(describeStatus(SecStatus.SEC_E_INVALID_TOKEN | 0)).toBe(statusDescriptions.SEC_E_INVALID_TOKEN);
    expect(describeStatus(0x80091234)).toBe('Windows returned an unrecognised failure status 0x80091234.');
    expect(describeStatus(0x00091234)).toBe('Windows returned an unrecognised success status 0x00091234.');
  });
});

describe('documented return-code sets', () => {
  it('lists what ISC/ASC return instead of throwing', () => {
    expect([...IscSuccessStatuses]).toEqual([
      'SEC_E_OK', 'SEC_I_COMPLETE_AND_CONTINUE', 'SEC_I_COMPLETE_NEEDED',
      'SEC_I_CONTINUE_NEEDED', 'SEC_I_INCOMPLETE_CREDENTIALS', 'SEC_E_INCOMPLETE_MESSAGE',
    ]);
  });

  it('lists what DecryptMessage returns instead of throwing', () => {
    expect([...DecryptSuccessStatuses]).toEqual([
      'SEC_E_OK', 'SEC_E_INCOMPLETE_MESSAGE', 'SEC_I_CONTEXT_EXPIRED', 'SEC_I_RENEGOTIATE',
    ]);
    for (const name of [...IscSuccessStatuses, ...DecryptSuccessStatuses]) expect(SecStatus).toHaveProperty(name);
  });
});
