import { spawnSync } from 'node:child_process';
import { describe, it, expect } from 'vitest';
import {
  SchannelError,
  UNKNOWN_STATUS_CODE_PREFIX,
  invalidArgType,
  invalidArgValue,
  invalidArgValueRange,
  outOfRange,
  describeReceived,
} from '../../lib/sspi/errors';
import { SecStatus, statusDescriptions } from '../../lib/sspi/status';

describe('SchannelError', () => {
  it('carries code, status, statusName and functionName as own fields', () => {
    const err = new SchannelError('boom', { code: 'SEC_E_INVALID_TOKEN', status: 0x80090308 | 0, functionName: 'DecryptMessage' });
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(SchannelError);
    expect(err.name).toBe('SchannelError');
    expect(err.message).toBe('boom');
    expect(err.code).toBe('SEC_E_INVALID_TOKEN');
    expect(err.status).toBe(0x80090308);
    expect(err.statusName).toBe('SEC_E_INVALID_TOKEN');
    expect(err.functionName).toBe('DecryptMessage');
    expect(err.details).toBeUndefined();
    expect('cause' in err).toBe(false);
    expect(String(err)).toBe('SchannelError: boom');
    expect(err.stack?.startsWith('SchannelError: boom')).toBe(true);
    expect(Object.keys(err)).toEqual(expect.arrayContaining(['code', 'status', 'statusName', 'functionName']));
  });

  it('allows a project code without a status', () => {
    const err = new SchannelError('not on Windows', { code: 'ERR_SCHANNEL_UNSUPPORTED' });
    expect(err.code).toBe('ERR_SCHANNEL_UNSUPPORTED');
    expect(err.status).toBeUndefined();
    expect(err.statusName).toBeUndefined();
    expect(err.functionName).toBeUndefined();
  });

  it('passes cause through and merges extra properties', () => {
    const cause = new Error('inner');
    const err = new SchannelError('outer', {
      code: 'SEC_E_ILLEGAL_MESSAGE',
      status: SecStatus.SEC_E_ILLEGAL_MESSAGE,
      cause,
      alert: 40,
      bufferIndex: 2,
      code2: 'x',
    });
    expect(err.cause).toBe(cause);
    expect((err as unknown as { alert: number }).alert).toBe(40);
    expect((err as unknown as { bufferIndex: number }).bufferIndex).toBe(2);
    expect(err.details).toEqual({ alert: 40, bufferIndex: 2, code2: 'x' });
  });

  it('does not let extra properties overwrite its own contract', () => {
    const err = new SchannelError('m', { code: 'SEC_E_OK', statusName: 'forged', name: 'Forged', message: 'forged', details: 1 });
    expect(err.statusName).toBeUndefined();
    expect(err.name).toBe('SchannelError');
    expect(err.message).toBe('m');
    expect(err.details).toEqual({ statusName: 'forged', name: 'Forged', message: 'forged', details: 1 });
  });
});

describe('SchannelError.fromStatus', () => {
  it('uses the status name as code and puts name and hex in the message', () => {
    const err = SchannelError.fromStatus(SecStatus.SEC_E_INVALID_TOKEN, 'InitializeSecurityContextW');
    expect(err.code).toBe('SEC_E_INVALID_TOKEN');
    expect(err.status).toBe(0x80090308);
    expect(err.statusName).toBe('SEC_E_INVALID_TOKEN');
    expect(err.functionName).toBe('InitializeSecurityContextW');
    expect(err.message).toBe(
      `InitializeSecurityContextW failed: ${statusDescriptions.SEC_E_INVALID_TOKEN} (SEC_E_INVALID_TOKEN, 0x80090308)`,
    );
  });

  it('prefers trimmed system text and falls back when it is blank', () => {
    const sys = SchannelError.fromStatus(0x80090325 | 0, 'AcceptSecurityContext', ' The certificate chain was issued by an authority that is not trusted.\r\n');
    expect(sys.message).toBe(
      'AcceptSecurityContext failed: The certificate chain was issued by an authority that is not trusted. (SEC_E_UNTRUSTED_ROOT, 0x80090325)',
    );
    expect(sys.status).toBe(0x80090325);
    const blank = SchannelError.fromStatus(SecStatus.SEC_E_UNTRUSTED_ROOT, 'AcceptSecurityContext', ' \r\n');
    expect(blank.message).toContain(statusDescriptions.SEC_E_UNTRUSTED_ROOT!);
  });

  it('uses the preferred alias name', () => {
    const err = SchannelError.fromStatus(SecStatus.SEC_E_NOT_SUPPORTED, 'QueryContextAttributesW');
    expect(err.code).toBe('SEC_E_UNSUPPORTED_FUNCTION');
    expect(err.message).toMatch(/\(SEC_E_UNSUPPORTED_FUNCTION, 0x80090302\)$/);
  });

  it('gives an unknown status an ERR_SCHANNEL_STATUS_0x... code', () => {
    const err = SchannelError.fromStatus(0x80091234 | 0, 'EncryptMessage');
    expect(UNKNOWN_STATUS_CODE_PREFIX).toBe('ERR_SCHANNEL_STATUS_');
    expect(err.code).toBe('ERR_SCHANNEL_STATUS_0x80091234');
    expect(err.statusName).toBe('0x80091234');
    expect(err.status).toBe(0x80091234);
    expect(err.message).toBe(
      'EncryptMessage failed: Windows returned an unrecognised failure status 0x80091234. (ERR_SCHANNEL_STATUS_0x80091234, 0x80091234)',
    );
  });

  it('merges extra and keeps code/status/functionName authoritative', () => {
    const err = SchannelError.fromStatus(SecStatus.SEC_E_INCOMPLETE_MESSAGE, 'DecryptMessage', undefined, {
      missing: 5,
      code: 'nope',
      status: 1,
    });
    expect((err as unknown as { missing: number }).missing).toBe(5);
    expect(err.code).toBe('SEC_E_INCOMPLETE_MESSAGE');
    expect(err.status).toBe(0x80090318);
    expect(err.functionName).toBe('DecryptMessage');
  });
});

// Messages produced by Node 20's own lib/internal/errors.js for the same
// arguments (captured with `node --expose-internals`).
const golden: { make: () => Error; name: string; code: string; message: string }[] = [
  { make: () => invalidArgType('options.port', 'number', 'x'), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: `The "options.port" property must be of type number. Received type string ('x')` },
  { make: () => invalidArgType('port', 'number', null), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The "port" argument must be of type number. Received null' },
  { make: () => invalidArgType('port', 'number', undefined), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The "port" argument must be of type number. Received undefined' },
  { make: () => invalidArgType('port', ['string', 'Buffer', 'TypedArray'], new (class Foo {})()), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The "port" argument must be of type string or an instance of Buffer or TypedArray. Received an instance of Foo' },
  { make: () => invalidArgType('port', 'Function', function f() {}), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The "port" argument must be of type function. Received function f' },
  { make: () => invalidArgType('port', 'number', Object.create(null)), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The "port" argument must be of type number. Received [Object: null prototype] {}' },
  { make: () => invalidArgType('port', 'number', 'a'.repeat(40)), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: `The "port" argument must be of type number. Received type string ('aaaaaaaaaaaaaaaaaaaaaaaaa...')` },
  { make: () => invalidArgType('port', 'number', "it's"), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: `The "port" argument must be of type number. Received type string ("it's")` },
  { make: () => invalidArgType('port', 'number', -0), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The "port" argument must be of type number. Received type number (-0)' },
  { make: () => invalidArgType('port', 'number', 12n), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The "port" argument must be of type number. Received type bigint (12n)' },
  { make: () => invalidArgType('port', 'number', Symbol('s')), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The "port" argument must be of type number. Received type symbol (Symbol(s))' },
  { make: () => invalidArgType('port', ['object', 'Buffer'], 1), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The "port" argument must be an instance of Buffer or Object. Received type number (1)' },
  { make: () => invalidArgType('first argument', 'Object', 1), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The first argument must be of type object. Received type number (1)' },
  { make: () => invalidArgType('x', 'a valid thing', 1), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The "x" argument must be a valid thing. Received type number (1)' },
  { make: () => invalidArgType('x', ['Buffer', 'TypedArray', 'DataView', 'ArrayBuffer'], 'str'), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: `The "x" argument must be an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received type string ('str')` },
  { make: () => invalidArgType('port', 'number', [1, 2]), name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'The "port" argument must be of type number. Received an instance of Array' },
  { make: () => invalidArgValue('name', 'abc'), name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: `The argument 'name' is invalid. Received 'abc'` },
  { make: () => invalidArgValue('opts.name', { a: 1 }, `must be one of: 'a', 'b'`), name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE', message: `The property 'opts.name' must be one of: 'a', 'b'. Received { a: 1 }` },
  { make: () => invalidArgValueRange('name', 5), name: 'RangeError', code: 'ERR_INVALID_ARG_VALUE', message: `The argument 'name' is invalid. Received 5` },
  { make: () => outOfRange('n', 'an integer', 1.5), name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: 'The value of "n" is out of range. It must be an integer. Received 1.5' },
  { make: () => outOfRange('n', '>= 0 && <= 4294967295', 2 ** 40), name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: 'The value of "n" is out of range. It must be >= 0 && <= 4294967295. Received 1_099_511_627_776' },
  { make: () => outOfRange('n', '>= 0 && <= 4294967295', -1), name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: 'The value of "n" is out of range. It must be >= 0 && <= 4294967295. Received -1' },
  { make: () => outOfRange('n', '>= 0 && <= 4294967295', 2n ** 40n), name: 'RangeError', code: 'ERR_OUT_OF_RANGE', message: 'The value of "n" is out of range. It must be >= 0 && <= 4294967295. Received 1_099_511_627_776n' },
];

describe('Node-style argument errors', () => {
  it('reproduce Node messages, names and codes', () => {
    for (const g of golden) {
      const err = g.make();
      expect({ name: err.name, code: (err as Error & { code: string }).code, message: err.message }).toEqual({
        name: g.name,
        code: g.code,
        message: g.message,
      });
    }
  });

  it('behave like Node errors: class, own enumerable code, [CODE] in String() and stack', () => {
    const err = invalidArgType('options.port', 'number', 'x');
    expect(err).toBeInstanceOf(TypeError);
    expect(err.name).toBe('TypeError');
    expect(err.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(Object.keys(err)).toEqual(['code']);
    expect(String(err)).toBe(`TypeError [ERR_INVALID_ARG_TYPE]: ${err.message}`);
    expect(err.stack?.startsWith(`TypeError [ERR_INVALID_ARG_TYPE]: ${err.message}\n`)).toBe(true);
    expect(err.stack).not.toContain('makeNodeError');
    const range = outOfRange('n', 'an integer', 0.5);
    expect(range).toBeInstanceOf(RangeError);
    expect(String(range)).toBe(`RangeError [ERR_OUT_OF_RANGE]: ${range.message}`);
    expect(invalidArgValueRange('x', 1)).toBeInstanceOf(RangeError);
    expect(invalidArgValue('x', 1)).toBeInstanceOf(TypeError);
  });

  it('describe received values as Node does', () => {
    expect(describeReceived(() => {})).toBe('function ');
    expect(describeReceived(true)).toBe('type boolean (true)');
    expect(describeReceived(Number.NaN)).toBe('type number (NaN)');
    expect(describeReceived(new Map())).toBe('an instance of Map');
  });

  it('match the running Node when its internals are reachable', (ctx) => {
    // Same cases, rebuilt inside a child Node with --expose-internals; if that
    // flag is unavailable the child fails and the comparison is skipped.
    const script = `
      const { codes: { ERR_INVALID_ARG_TYPE: T, ERR_INVALID_ARG_VALUE: V, ERR_OUT_OF_RANGE: R } } = require('internal/errors');
      class Foo {}
      const out = [
        new T('options.port', 'number', 'x'), new T('port', ['string', 'Buffer', 'TypedArray'], new Foo()),
        new T('port', 'Function', function f() {}), new T('port', 'number', Object.create(null)),
        new T('port', 'number', "it's"), new T('x', ['Buffer', 'TypedArray', 'DataView', 'ArrayBuffer'], 'str'),
        new V('opts.name', { a: 1 }, "must be one of: 'a', 'b'"), new R('n', '>= 0 && <= 4294967295', 2 ** 40),
      ].map((e) => e.message);
      process.stdout.write(JSON.stringify(out));`;
    const child = spawnSync(process.execPath, ['--expose-internals', '-e', script], { encoding: 'utf8' });
    if (child.status !== 0) ctx.skip();
    class Foo {}
    const ours = [
      invalidArgType('options.port', 'number', 'x'), invalidArgType('port', ['string', 'Buffer', 'TypedArray'], new Foo()),
      invalidArgType('port', 'Function', function f() {}), invalidArgType('port', 'number', Object.create(null)),
      invalidArgType('port', 'number', "it's"), invalidArgType('x', ['Buffer', 'TypedArray', 'DataView', 'ArrayBuffer'], 'str'),
      invalidArgValue('opts.name', { a: 1 }, "must be one of: 'a', 'b'"), outOfRange('n', '>= 0 && <= 4294967295', 2 ** 40),
    ].map((e) => e.message);
    expect(ours).toEqual(JSON.parse(child.stdout));
  });
});
