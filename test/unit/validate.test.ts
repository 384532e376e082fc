import { describe, it, expect } from 'vitest';
import { runInNewContext } from 'node:vm';
import {
  validateObject,
  validateString,
  validateBoolean,
  validateFunction,
  validateUint32,
  validateInt32,
  validateBufferLike,
  validateOneOf,
  validateArray,
} from '../../lib/sspi/validate';

type Code = 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE' | 'ERR_OUT_OF_RANGE';

function expectCode(fn: () => unknown, code: Code, Class: ErrorConstructor = code === 'ERR_OUT_OF_RANGE' ? RangeError : TypeError): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(Class);
  expect((caught as { code?: string }).code).toBe(code);
}

describe('validateObject', () => {
  it('accepts objects, class instances and (when nullable) null', () => {
    for (const v of [{}, { a: 1 }, new Map(), Object.create(null), new Date()]) expect(() => validateObject(v, 'o')).not.toThrow();
    expect(() => validateObject(null, 'o', { nullable: true })).not.toThrow();
  });

  it('rejects null, arrays, functions and primitives with ERR_INVALID_ARG_TYPE', () => {
    for (const v of [null, undefined, [], () => {}, 'x', 1, true, 1n, Symbol('s')]) expectCode(() => validateObject(v, 'options'), 'ERR_INVALID_ARG_TYPE');
    expectCode(() => validateObject([], 'o', { nullable: true }), 'ERR_INVALID_ARG_TYPE');
    expect(() => validateObject(null, 'options')).toThrow('The "options" argument must be of type object. Received null');
  });
});

describe('validateString / validateBoolean / validateFunction', () => {
  it('accepts their type', () => {
    expect(() => validateString('', 's')).not.toThrow();
    expect(() => validateBoolean(false, 'b')).not.toThrow();
    expect(() => validateFunction(() => {}, 'f')).not.toThrow();
    expect(() => validateFunction(class {}, 'f')).not.toThrow();
    expect(() => validateFunction(async () => {}, 'f')).not.toThrow();
  });

  it('rejects everything else with ERR_INVALID_ARG_TYPE and Node wording', () => {
    for (const v of [undefined, null, 1, new String('x'), ['x']]) expectCode(() => validateString(v, 's'), 'ERR_INVALID_ARG_TYPE');
    for (const v of [undefined, null, 0, 'true', new Boolean(true)]) expectCode(() => validateBoolean(v, 'b'), 'ERR_INVALID_ARG_TYPE');
    for (const v of [undefined, null, {}, 'f']) expectCode(() => validateFunction(v, 'f'), 'ERR_INVALID_ARG_TYPE');
    expect(() => validateString(5, 'options.servername')).toThrow(
      'The "options.servername" property must be of type string. Received type number (5)',
    );
    expect(() => validateBoolean('yes', 'rejectUnauthorized')).toThrow(
      `The "rejectUnauthorized" argument must be of type boolean. Received type string ('yes')`,
    );
    expect(() => validateFunction({}, 'callback')).toThrow(
      'The "callback" argument must be of type function. Received an instance of Object',
    );
  });
});

describe('validateUint32', () => {
  it('accepts integers 0..2^32-1', () => {
    for (const v of [0, 1, 0x7fffffff, 0x80000000, 0xffffffff]) expect(() => validateUint32(v, 'n')).not.toThrow();
    expect(() => validateUint32(1, 'n', { positive: true })).not.toThrow();
  });

  it('rejects non-numbers with ERR_INVALID_ARG_TYPE', () => {
    for (const v of ['1', 1n, null, undefined, new Number(1)]) expectCode(() => validateUint32(v, 'n'), 'ERR_INVALID_ARG_TYPE');
  });

  it('rejects fractions, NaN and out-of-range values with ERR_OUT_OF_RANGE', () => {
    for (const v of [1.5, Number.NaN, Infinity, -1, 2 ** 32, -0.5]) expectCode(() => validateUint32(v, 'n'), 'ERR_OUT_OF_RANGE');
    expectCode(() => validateUint32(0, 'n', { positive: true }), 'ERR_OUT_OF_RANGE');
    expect(() => validateUint32(-1, 'flags')).toThrow(
      'The value of "flags" is out of range. It must be >= 0 && <= 4294967295. Received -1',
    );
    expect(() => validateUint32(0, 'size', { positive: true })).toThrow(
      'The value of "size" is out of range. It must be >= 1 && <= 4294967295. Received 0',
    );
    expect(() => validateUint32(1.5, 'n')).toThrow('The value of "n" is out of range. It must be an integer. Received 1.5');
  });
});

describe('validateInt32', () => {
  it('accepts integers in the int32 range or the given bounds', () => {
    for (const v of [-2147483648, -1, 0, 2147483647]) expect(() => validateInt32(v, 'n')).not.toThrow();
    expect(() => validateInt32(5, 'n', { min: 5, max: 5 })).not.toThrow();
  });

  it('rejects non-numbers, fractions and out-of-range values', () => {
    expectCode(() => validateInt32('0', 'n'), 'ERR_INVALID_ARG_TYPE');
    for (const v of [0.1, Number.NaN, 2147483648, -2147483649]) expectCode(() => validateInt32(v, 'n'), 'ERR_OUT_OF_RANGE');
    expectCode(() => validateInt32(4, 'n', { min: 5 }), 'ERR_OUT_OF_RANGE');
    expect(() => validateInt32(70000, 'port', { min: 0, max: 65535 })).toThrow(
      'The value of "port" is out of range. It must be >= 0 && <= 65535. Received 70000',
    );
  });
});

describe('validateBufferLike', () => {
  it('returns a Buffer sharing memory with the input', () => {
    const buf = Buffer.from([1, 2, 3]);
    expect(validateBufferLike(buf, 'b')).toBe(buf);

    const u8 = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    const fromU8 = validateBufferLike(u8, 'b');
    expect(Buffer.isBuffer(fromU8)).toBe(true);
    expect([...fromU8]).toEqual([2, 3]);
    fromU8[0] = 9;
    expect(u8[0]).toBe(9);

    const u16 = new Uint16Array([0x0102, 0x0304]);
    expect(validateBufferLike(u16, 'b').length).toBe(4);

    const dv = new DataView(new ArrayBuffer(8), 2, 4);
    const fromDv = validateBufferLike(dv, 'b');
    expect(fromDv.length).toBe(4);
    fromDv[0] = 7;
    expect(dv.getUint8(0)).toBe(7);

    const ab = new ArrayBuffer(3);
    const fromAb = validateBufferLike(ab, 'b');
    fromAb[2] = 5;
    expect(new Uint8Array(ab)[2]).toBe(5);
  });

  it('accepts views and ArrayBuffers from another realm', () => {
    const foreignView = runInNewContext('new Uint8Array([4, 5])') as Uint8Array;
    expect([...validateBufferLike(foreignView, 'b')]).toEqual([4, 5]);
    const foreignAb = runInNewContext('new ArrayBuffer(2)') as ArrayBuffer;
    expect(validateBufferLike(foreignAb, 'b').length).toBe(2);
  });

  it('rejects strings and other values with ERR_INVALID_ARG_TYPE', () => {
    for (const v of ['abc', null, undefined, 1, [1, 2], { length: 1 }, new SharedArrayBuffer(1)]) {
      expectCode(() => validateBufferLike(v, 'data'), 'ERR_INVALID_ARG_TYPE');
    }
    expect(() => validateBufferLike('abc', 'data')).toThrow(
      `The "data" argument must be an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received type string ('abc')`,
    );
  });
});

describe('validateOneOf', () => {
  it('accepts listed values', () => {
    expect(() => validateOneOf('client', 'side', ['client', 'server'])).not.toThrow();
    expect(() => validateOneOf(2, 'n', [1, 2])).not.toThrow();
    expect(() => validateOneOf(Number.NaN, 'n', [Number.NaN])).not.toThrow();
  });

  it('rejects others with ERR_INVALID_ARG_VALUE listing the choices', () => {
    expectCode(() => validateOneOf('both', 'side', ['client', 'server']), 'ERR_INVALID_ARG_VALUE');
    expectCode(() => validateOneOf('1', 'n', [1, 2]), 'ERR_INVALID_ARG_VALUE');
    expect(() => validateOneOf('both', 'side', ['client', 'server'])).toThrow(
      "The argument 'side' must be one of: 'client', 'server'. Received 'both'",
    );
    expect(() => validateOneOf(3, 'options.n', [1, 2])).toThrow("The property 'options.n' must be one of: 1, 2. Received 3");
  });
});

describe('validateArray', () => {
  it('accepts arrays of at least minLength', () => {
    expect(() => validateArray([], 'a')).not.toThrow();
    expect(() => validateArray([1], 'a', 1)).not.toThrow();
  });

  it('rejects non-arrays with ERR_INVALID_ARG_TYPE and short arrays with ERR_INVALID_ARG_VALUE', () => {
    for (const v of [null, undefined, 'ab', { length: 0 }, new Uint8Array(1)]) expectCode(() => validateArray(v, 'a'), 'ERR_INVALID_ARG_TYPE');
    expect(() => validateArray('ab', 'ALPNProtocols')).toThrow(
      `The "ALPNProtocols" argument must be an instance of Array. Received type string ('ab')`,
    );
    expectCode(() => validateArray([], 'a', 1), 'ERR_INVALID_ARG_VALUE');
    expect(() => validateArray([], 'a', 1)).toThrow("The argument 'a' must be longer than 1. Received []");
  });
});
