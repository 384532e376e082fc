import { existsSync, readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  IscReq,
  IscRet,
  AscReq,
  AscRet,
  SECBUFFER_VERSION,
  SECBUFFER_ATTRMASK,
  SecBufferType,
  SecBufferFlags,
  SchCredFlags,
  SpProt,
  SecPkgAttr,
  AlgId,
  SchannelControlToken,
  SslSessionFlags,
  TlsAlertType,
  TlsAlert,
  SecPkgCredUse,
  SecurityDrep,
  flagNames,
  combineFlags,
  enumName,
  protocolName,
  protocolsBetween,
  tlsVersions,
} from '../../lib/sspi/flags';

const includeDir = '/usr/x86_64-w64-mingw32/include';
const headersMissing = !['sspi.h', 'schannel.h', 'wincrypt.h'].every((h) => existsSync(`${includeDir}/${h}`));
const skipReason = `(skips when the MinGW-w64 headers are not installed in ${includeDir})`;

// A tiny evaluator for the object-like macros these headers use: hex/decimal
// literals, other macros, parentheses, |, + and <<. Values are BigInt so the
// 64-bit ISC_REQ_MESSAGES is read exactly.
function readDefines(...files: string[]): Map<string, bigint> {
  const raw = new Map<string, string>();
  for (const file of files) {
    for (const line of readFileSync(`${includeDir}/${file}`, 'utf8').split('\n')) {
      const m = /^\s*#\s*define\s+([A-Za-z_]\w*)\s+(.+?)\s*$/.exec(line);
      if (m && !raw.has(m[1])) raw.set(m[1], m[2].replace(/\/\/.*$|\/\*.*?\*\//g, '').trim());
    }
  }
  const cache = new Map<string, bigint | null>();
  const evaluate = (name: string, depth: number): bigint | null => {
    if (cache.has(name)) return cache.get(name)!;
    const expr = raw.get(name);
    if (expr === undefined || depth > 10) return null;
    let failed = false;
    const js = expr.replace(/0x[0-9a-f]+[ul]*|\d+[ul]*|[A-Za-z_]\w*/gi, (tok) => {
      if (/^\d|^0x/i.test(tok)) return `${BigInt(tok.replace(/[ul]+$/i, ''))}n`;
      const v = evaluate(tok, depth + 1);
      if (v === null) failed = true;
      return `(${v}n)`;
    });
    const value = failed || !/^[\d\sn()|+<]*$/.test(js) ? null : (new Function(`return (${js});`)() as bigint);
    cache.set(name, value);
    return value;
  };
  const out = new Map<string, bigint>();
  for (const name of raw.keys()) {
    const v = evaluate(name, 0);
    if (v !== null) out.set(name, v);
  }
  return out;
}

function headerEntries(defs: Map<string, bigint>, pattern: RegExp, strip: RegExp): [string, bigint][] {
  return [...defs].filter(([name]) => pattern.test(name)).map(([name, v]) => [name.replace(strip, ''), v]);
}

/** Every header entry is in the table with its value, and every table key is in the header or listed as documented extra. */
function expectMatchesHeader(
  table: Record<string, number>,
  entries: [string, bigint][],
  extras: Record<string, number> = {},
): void {
  expect(entries.length).toBeGreaterThan(0);
  const fromHeader = new Map(entries);
  for (const [name, value] of entries) {
    if (value > 0xffffffffn) {
      // Above 32 bits: deliberately not representable in a ULONG parameter.
      expect(table, `${name} must be left out`).not.toHaveProperty(name);
    } else {
      expect({ name, value: table[name] }).toEqual({ name, value: Number(value) });
    }
  }
  for (const [name, value] of Object.entries(table)) {
    if (name in extras) {
      expect(fromHeader.has(name), `${name} is now in the header: drop it from extras`).toBe(false);
      expect(value).toBe(extras[name]);
    } else {
      expect(fromHeader.has(name), `${name} is not in the header`).toBe(true);
    }
  }
}

describe.skipIf(headersMissing)(`tables match the MinGW headers ${skipReason}`, () => {
  const defs = headersMissing ? new Map<string, bigint>() : readDefines('sspi.h', 'schannel.h', 'wincrypt.h');

  it('ISC_REQ_/ISC_RET_/ASC_REQ_/ASC_RET_ (sspi.h), omitting only the 64-bit MESSAGES flags', () => {
    expectMatchesHeader(IscReq, headerEntries(defs, /^ISC_REQ_/, /^ISC_REQ_/));
    expectMatchesHeader(IscRet, headerEntries(defs, /^ISC_RET_/, /^ISC_RET_/));
    expectMatchesHeader(AscReq, headerEntries(defs, /^ASC_REQ_/, /^ASC_REQ_/));
    expectMatchesHeader(AscRet, headerEntries(defs, /^ASC_RET_/, /^ASC_RET_/));
    expect(defs.get('ISC_REQ_MESSAGES')).toBe(0x1_0000_0000n);
  });

  it('SECBUFFER_* (sspi.h)', () => {
    const attrs = /^SECBUFFER_(READONLY|READONLY_WITH_CHECKSUM|RESERVED)$/;
    const types = headerEntries(defs, /^SECBUFFER_/, /^SECBUFFER_/).filter(
      ([n]) => !['VERSION', 'ATTRMASK', 'READONLY', 'READONLY_WITH_CHECKSUM', 'RESERVED'].includes(n),
    );
    expectMatchesHeader(SecBufferType, types);
    expectMatchesHeader(SecBufferFlags, headerEntries(defs, attrs, /^SECBUFFER_/));
    expect(SECBUFFER_VERSION).toBe(Number(defs.get('SECBUFFER_VERSION')));
    expect(SECBUFFER_ATTRMASK).toBe(Number(defs.get('SECBUFFER_ATTRMASK')));
  });

  it('SCH_CRED_* / SCH_* dwFlags (schannel.h), plus the documented DEFERRED_CRED_VALIDATION', () => {
    // Everything named SCH_* except versions, formats, limits and other structures' fields.
    const notDwFlags = /^SCH_(CRED_(V\d|VERSION|FORMAT_|MAX_|X509_|CERT_CONTEXT)|CREDENTIALS_VERSION|MAX_EXT_|MACHINE_CERT_HASH)/;
    const entries = [...defs]
      .filter(([name]) => name.startsWith('SCH_') && !notDwFlags.test(name))
      .map(([name, v]): [string, bigint] => [name.replace(/^SCH_(CRED_)?/, ''), v]);
    expectMatchesHeader(SchCredFlags, entries, { DEFERRED_CRED_VALIDATION: 0x04000000 });
    expect(entries.length).toBe(25);
  });

  it('SP_PROT_* (schannel.h)', () => {
    expectMatchesHeader(SpProt, headerEntries(defs, /^SP_PROT_/, /^SP_PROT_/));
  });

  it('SECPKG_ATTR_* (sspi.h and schannel.h), plus the two CERT_CHECK_RESULT ids', () => {
    const entries = headerEntries(defs, /^SECPKG_ATTR_/, /^SECPKG_ATTR_/).filter(([n]) => !n.startsWith('NEGO_INFO_FLAG_'));
    expectMatchesHeader(SecPkgAttr, entries, { CERT_CHECK_RESULT: 0x71, CERT_CHECK_RESULT_INPROC: 0x72 });
  });

  it('CALG_* (wincrypt.h)', () => {
    for (const [name, value] of Object.entries(AlgId)) {
      expect({ name, value: defs.get(`CALG_${name}`) }).toEqual({ name, value: BigInt(value) });
    }
  });

  it('ApplyControlToken, alert and session constants (schannel.h)', () => {
    expectMatchesHeader(SchannelControlToken, headerEntries(defs, /^SCHANNEL_(RENEGOTIATE|SHUTDOWN|ALERT|SESSION)$/, /^SCHANNEL_/));
    expectMatchesHeader(SslSessionFlags, headerEntries(defs, /^SSL_SESSION_(EN|DIS)ABLE_RECONNECTS$/, /^SSL_SESSION_/));
    expectMatchesHeader(TlsAlertType, headerEntries(defs, /^TLS1_ALERT_(WARNING|FATAL)$/, /^TLS1_ALERT_/));
    expectMatchesHeader(TlsAlert, headerEntries(defs, /^TLS1_ALERT_(?!WARNING$|FATAL$)/, /^TLS1_ALERT_/));
  });

  it('SECPKG_CRED_* use and SECURITY_*_DREP (sspi.h)', () => {
    expectMatchesHeader(SecPkgCredUse, headerEntries(defs, /^SECPKG_CRED_(INBOUND|OUTBOUND|BOTH|DEFAULT)$/, /^SECPKG_CRED_/));
    expectMatchesHeader(SecurityDrep, headerEntries(defs, /^SECURITY_(NATIVE|NETWORK)_DREP$/, /^SECURITY_/));
  });
});

describe('table values (independent of the headers)', () => {
  it('has the values Microsoft documents', () => {
    expect(IscReq.CONFIDENTIALITY).toBe(0x10);
    expect(IscReq.ALLOCATE_MEMORY).toBe(0x100);
    expect(IscReq.STREAM).toBe(0x8000);
    expect(IscReq.MANUAL_CRED_VALIDATION).toBe(0x80000);
    expect(AscReq.STREAM).toBe(0x10000);
    expect(AscReq.EXTENDED_ERROR).toBe(0x8000);
    expect(SecBufferType.EXTRA).toBe(5);
    expect(SecBufferType.ALERT).toBe(17);
    expect(SecBufferType.APPLICATION_PROTOCOLS).toBe(18);
    expect(SecBufferFlags.READONLY).toBe(0x80000000);
    expect(SchCredFlags.USE_STRONG_CRYPTO).toBe(0x00400000);
    expect(SchCredFlags.MANUAL_CRED_VALIDATION).toBe(0x8);
    expect(SpProt.TLS1_3_CLIENT).toBe(0x2000);
    expect(SpProt.TLS1_2_SERVER).toBe(0x400);
    expect(SecPkgAttr.STREAM_SIZES).toBe(4);
    expect(SecPkgAttr.REMOTE_CERT_CONTEXT).toBe(0x53);
    expect(SecPkgAttr.CONNECTION_INFO).toBe(0x5a);
    expect(SecPkgAttr.SESSION_KEY).toBe(9);
    expect(SecPkgAttr.SESSION_INFO).toBe(0x5d);
    expect(SecPkgAttr.APP_DATA).toBe(0x5e);
    expect(SecPkgAttr.APPLICATION_PROTOCOL).toBe(35);
    expect(SecPkgAttr.CIPHER_INFO).toBe(0x64);
    expect(AlgId.AES_256).toBe(0x6610);
    expect(AlgId.ECDH_EPHEM).toBe(0xae06);
    expect(AlgId.ECDH).toBe(0xaa05);
    expect(TlsAlert.NO_APP_PROTOCOL).toBe(120);
    expect(SchannelControlToken.SHUTDOWN).toBe(1);
    expect(SecPkgCredUse.OUTBOUND).toBe(2);
    expect(SecurityDrep.NATIVE_DREP).toBe(0x10);
  });

  it('stores only unsigned 32-bit values', () => {
    const tables = { IscReq, IscRet, AscReq, AscRet, SecBufferType, SecBufferFlags, SchCredFlags, SpProt, SecPkgAttr, AlgId, TlsAlert };
    for (const [tableName, table] of Object.entries(tables)) {
      for (const [name, value] of Object.entries(table)) {
        expect(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, `${tableName}.${name}`).toBe(true);
      }
    }
  });

  it('gives each single-bit flag table one bit per name', () => {
    for (const table of [IscReq, IscRet, AscReq, AscRet, SchCredFlags]) {
      const values = Object.values(table);
      expect(new Set(values).size).toBe(values.length);
      for (const v of values) expect(v & (v - 1)).toBe(0);
    }
  });
});

describe('flagNames', () => {
  it('lists set flags in ascending value order', () => {
    const v = IscReq.STREAM | IscReq.CONFIDENTIALITY | IscReq.ALLOCATE_MEMORY | IscReq.EXTENDED_ERROR;
    expect(flagNames(IscReq, v)).toEqual(['CONFIDENTIALITY', 'ALLOCATE_MEMORY', 'EXTENDED_ERROR', 'STREAM']);
    expect(flagNames(IscReq, 0)).toEqual([]);
  });

  it('reports bits no name covers as one 0x entry, last', () => {
    expect(flagNames(IscReq, 0x02000000)).toEqual(['0x02000000']);
    expect(flagNames(IscReq, IscReq.STREAM | 0x02000000 | 0x80000000)).toEqual(['STREAM', '0x82000000']);
    expect(flagNames(SecBufferFlags, SecBufferFlags.READONLY | SecBufferType.TOKEN)).toEqual(['READONLY', '0x00000002']);
  });

  it('accepts signed int32 input', () => {
    expect(flagNames(SecBufferFlags, 0x80000000 | 0)).toEqual(['READONLY']);
    expect(flagNames(SpProt, -1)).toEqual(['ALL']);
  });

  it('prefers an exact multi-bit name over its parts, and the first declared alias', () => {
    expect(flagNames(SpProt, SpProt.TLS1_2)).toEqual(['TLS1_2']);
    expect(flagNames(SpProt, SpProt.TLS1_2_CLIENT)).toEqual(['TLS1_2_CLIENT']);
    expect(flagNames(SpProt, SpProt.TLS1_2_CLIENT | SpProt.TLS1_3_CLIENT)).toEqual(['TLS1_2_CLIENT', 'TLS1_3_CLIENT']);
    expect(flagNames(SpProt, SpProt.TLS1_2 | SpProt.TLS1_3)).toEqual(['TLS1_2', 'TLS1_3']);
    expect(flagNames(SpProt, SpProt.TLS1_CLIENT)).toEqual(['TLS1_0_CLIENT']);
    expect(flagNames(SpProt, SpProt.TLS1_X)).toEqual(['TLS1_X']);
    expect(flagNames(SecBufferFlags, 0x60000000)).toEqual(['RESERVED']);
  });

  it('round-trips through combineFlags for any 32-bit value', () => {
    let seed = 0x12345678;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const tables = [IscReq, IscRet, AscReq, AscRet, SecBufferFlags, SchCredFlags, SpProt];
    for (const table of tables) {
      for (const v of [0, 1, 0xffffffff, 0x80000000, ...Array.from({ length: 300 }, next)]) {
        expect(combineFlags(table, flagNames(table, v))).toBe(v);
      }
      for (const [name, v] of Object.entries(table)) {
        if (v !== 0) expect(combineFlags(table, flagNames(table, v)), name).toBe(v);
      }
    }
  });

  it('rejects a value that is not a 32-bit integer', () => {
    expect(() => flagNames(IscReq, 2 ** 32)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => flagNames(IscReq, '16' as unknown as number)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('combineFlags', () => {
  it('ORs names into an unsigned value', () => {
    expect(combineFlags(IscReq, ['CONFIDENTIALITY', 'STREAM'])).toBe(0x8010);
    expect(combineFlags(SecBufferFlags, ['READONLY'])).toBe(0x80000000);
    expect(combineFlags(SpProt, ['TLS1_2_CLIENT', 'TLS1_3_CLIENT'])).toBe(0x2800);
    expect(combineFlags(IscReq, [])).toBe(0);
    expect(combineFlags(IscReq, ['STREAM', 'STREAM'])).toBe(0x8000);
  });

  it('accepts the 0x entries flagNames emits', () => {
    expect(combineFlags(IscReq, ['STREAM', '0x82000000'])).toBe(0x82008000);
    expect(combineFlags(IscReq, ['0X10'])).toBe(0x10);
  });

  it('throws ERR_INVALID_ARG_VALUE for an unknown name', () => {
    const call = () => combineFlags(IscReq, ['CONFIDENTIALITY', 'CONFIDENTIALLITY']);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(call).toThrow("The argument 'names[1]' is not a known flag name. Received 'CONFIDENTIALLITY'");
    expect(() => combineFlags(IscReq, ['toString'])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => combineFlags(IscReq, ['0x123456789'])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => combineFlags(IscReq, [16 as unknown as string])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });

  it('throws ERR_INVALID_ARG_TYPE when names is not an array', () => {
    expect(() => combineFlags(IscReq, 'STREAM' as unknown as string[])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});

describe('enumName', () => {
  it('finds the first declared name for a value', () => {
    expect(enumName(SecBufferType, 5)).toBe('EXTRA');
    expect(enumName(SecBufferType, 0)).toBe('EMPTY');
    expect(enumName(AlgId, 0x8004)).toBe('SHA1');
    expect(enumName(TlsAlert, 48)).toBe('UNKNOWN_CA');
    expect(enumName(SecPkgAttr, 4)).toBe('STREAM_SIZES');
    expect(enumName(SecBufferType, 99)).toBeUndefined();
  });
});

describe('protocolName', () => {
  it('names the client bit, the server bit, or both of one protocol', () => {
    const cases: [number, string][] = [
      [SpProt.TLS1_3_CLIENT, 'TLSv1.3'], [SpProt.TLS1_3_SERVER, 'TLSv1.3'], [SpProt.TLS1_3, 'TLSv1.3'],
      [SpProt.TLS1_2_CLIENT, 'TLSv1.2'], [SpProt.TLS1_2_SERVER, 'TLSv1.2'],
      [SpProt.TLS1_1_CLIENT, 'TLSv1.1'], [SpProt.TLS1_0_SERVER, 'TLSv1'],
      [SpProt.SSL3_CLIENT, 'SSLv3'], [SpProt.SSL2_SERVER, 'SSLv2'],
      [SpProt.DTLS1_0_CLIENT, 'DTLSv1.0'], [SpProt.DTLS1_2_SERVER, 'DTLSv1.2'],
    ];
    for (const [bits, name] of cases) expect(protocolName(bits)).toBe(name);
  });

  it('returns null for nothing, a mix, or a protocol Node cannot name', () => {
    expect(protocolName(0)).toBeNull();
    expect(protocolName(SpProt.TLS1_2_CLIENT | SpProt.TLS1_3_CLIENT)).toBeNull();
    expect(protocolName(SpProt.PCT1_CLIENT)).toBeNull();
    expect(protocolName(SpProt.UNI_CLIENT)).toBeNull();
    expect(protocolName(SpProt.UNI_CLIENT | 0)).toBeNull();
  });
});

describe('protocolsBetween', () => {
  it('defaults to TLSv1.2..TLSv1.3 like Node', () => {
    expect(protocolsBetween(undefined, undefined, 'client')).toBe(SpProt.TLS1_2_CLIENT | SpProt.TLS1_3_CLIENT);
    expect(protocolsBetween(undefined, undefined, 'server')).toBe(SpProt.TLS1_2_SERVER | SpProt.TLS1_3_SERVER);
    expect(protocolsBetween(null as unknown as undefined, null as unknown as undefined, 'client')).toBe(0x2800);
  });

  it('maps each range to the side bits', () => {
    expect(protocolsBetween('TLSv1', 'TLSv1.3', 'client')).toBe(SpProt.TLS1_X_CLIENT);
    expect(protocolsBetween('TLSv1', undefined, 'server')).toBe(SpProt.TLS1_X_SERVER);
    expect(protocolsBetween('TLSv1.3', 'TLSv1.3', 'server')).toBe(SpProt.TLS1_3_SERVER);
    expect(protocolsBetween('TLSv1.1', 'TLSv1.2', 'client')).toBe(SpProt.TLS1_1_CLIENT | SpProt.TLS1_2_CLIENT);
    expect(protocolsBetween(undefined, 'TLSv1.2', 'client')).toBe(SpProt.TLS1_2_CLIENT);
    for (const v of tlsVersions) expect(protocolName(protocolsBetween(v, v, 'client'))).toBe(v);
  });

  it('throws RangeError ERR_INVALID_ARG_VALUE when min is above max', () => {
    const call = () => protocolsBetween('TLSv1.3', 'TLSv1.2', 'client');
    expect(call).toThrow(RangeError);
    expect(call).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(call).toThrow("The argument 'minVersion' must not be above maxVersion ('TLSv1.2'). Received 'TLSv1.3'");
    // An explicit max below the default min is an empty range too.
    expect(() => protocolsBetween(undefined, 'TLSv1.1', 'client')).toThrow(RangeError);
  });

  it('throws TypeError ERR_INVALID_ARG_VALUE for unknown version strings', () => {
    for (const bad of ['TLSv1.4', 'SSLv3', 'tlsv1.2', 'TLSv1.0', '']) {
      expect(() => protocolsBetween(bad, undefined, 'client')).toThrow(TypeError);
      expect(() => protocolsBetween(bad, undefined, 'client')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
      expect(() => protocolsBetween(undefined, bad, 'server')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    }
    expect(() => protocolsBetween('TLSv1.4', undefined, 'client')).toThrow(
      "The argument 'minVersion' must be one of: 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'. Received 'TLSv1.4'",
    );
  });

  it('throws ERR_INVALID_ARG_TYPE for non-strings and ERR_INVALID_ARG_VALUE for a bad side', () => {
    expect(() => protocolsBetween(1.2 as unknown as string, undefined, 'client')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(() => protocolsBetween(undefined, undefined, 'both' as 'client')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });
});
