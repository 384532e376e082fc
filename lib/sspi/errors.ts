// The two kinds of error this package throws.
//
// 1. SchannelError: a Windows call failed. It always carries a stable string
//    `code` (the Windows name, e.g. SEC_E_INVALID_TOKEN), the numeric
//    `status`, and the name of the function that failed, so callers never
//    have to parse the message.
// 2. Node-style argument errors (ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE,
//    ERR_OUT_OF_RANGE), built to read exactly like the ones Node's own APIs
//    throw, because the high-level API promises to behave like `tls`.
//
// Note: status.ts imports the argument errors from here and this file imports
// statusName/describeStatus from status.ts. The cycle is safe because neither
// module calls into the other while it is being evaluated.

import { inspect } from 'node:util';
import { describeStatus, formatStatusHex, statusName as nameOfStatus } from './status';

/** Options accepted by the SchannelError constructor; unknown keys become extra own properties. */
export interface SchannelErrorOptions {
  code: string;
  status?: number;
  functionName?: string;
  cause?: unknown;
  [extra: string]: unknown;
}

// Keys an `extra` object may not overwrite: they are the error's own contract.
const reservedKeys = new Set([
  'name', 'message', 'stack', 'cause', 'code', 'status', 'statusName', 'functionName', 'details',
]);

/** Prefix of the `code` given to a status the table does not know, e.g. ERR_SCHANNEL_STATUS_0x80091234. */
export const UNKNOWN_STATUS_CODE_PREFIX = 'ERR_SCHANNEL_STATUS_';

export class SchannelError extends Error {
  /** Stable identifier: a Windows status name or an ERR_SCHANNEL_* project code. */
  readonly code: string;
  /** The SECURITY_STATUS / HRESULT as an unsigned 32-bit number, when a Windows call failed. */
  readonly status: number | undefined;
  /** statusName(status): the symbolic name, or `0x%08X` when unknown. */
  readonly statusName: string | undefined;
  /** The Windows function that failed, e.g. 'InitializeSecurityContextW'. */
  readonly functionName: string | undefined;
  /** The extra properties passed in, also copied onto the error itself. Absent when there were none. */
  declare readonly details?: Record<string, unknown>;

  constructor(message: string, options: SchannelErrorOptions) {
    // Checked here, not left to destructuring: the error class itself must fail typed.
    if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidArgType('options', 'Object', options);
    if (typeof options.code !== 'string' || options.code.length === 0) throw invalidArgType('options.code', 'string', options.code);
    if (options.status !== undefined && (typeof options.status !== 'number' || !Number.isInteger(options.status))) {
      throw invalidArgType('options.status', 'number', options.status);
    }
    const { code, status, functionName, cause, ...extra } = options;
    super(message, 'cause' in options ? { cause } : undefined);
    this.code = code;
    this.status = status === undefined ? undefined : status >>> 0;
    this.statusName = status === undefined ? undefined : nameOfStatus(status);
    this.functionName = functionName;
    const extraKeys = Object.keys(extra);
    if (extraKeys.length > 0) {
      const self = this as unknown as Record<string, unknown>;
      self.details = extra;
      for (const key of extraKeys) {
        if (!reservedKeys.has(key)) self[key] = extra[key];
      }
    }
  }

  /**
   * The error for a failed Windows call. The code is the status name; a value
   * the table does not know gets `ERR_SCHANNEL_STATUS_0x%08X` rather than the
   * bare hex, so that `code` stays an identifier in Node's ERR_* style, stays
   * distinct per value (logs grouped by code do not merge unrelated failures)
   * and can never collide with a name Windows adds later. `statusName` still
   * holds the bare hex and `status` the number.
   */
  static fromStatus(
    status: number,
    functionName: string,
    systemText?: string,
    extra?: object,
  ): SchannelError {
    const name = nameOfStatus(status);
    const hex = formatStatusHex(status);
    const code = name === hex ? `${UNKNOWN_STATUS_CODE_PREFIX}${hex}` : name;
    const text = systemText?.trim() || describeStatus(status);
    return new SchannelError(`${functionName} failed: ${text} (${code}, ${hex})`, {
      ...(extra as Record<string, unknown> | undefined),
      code,
      status,
      functionName,
    });
  }
}

Object.defineProperty(SchannelError.prototype, 'name', {
  value: 'SchannelError',
  writable: true,
  enumerable: false,
  configurable: true,
});

// ---------------------------------------------------------------------------
// Node-style argument errors. The message builders follow Node's
// lib/internal/errors.js (v20/v22) so the text matches what `net`, `tls` and
// `buffer` throw; errors.test.ts pins the strings.

type NodeErrorConstructor = TypeErrorConstructor | RangeErrorConstructor;

function makeNodeError<B extends NodeErrorConstructor, C extends string>(
  Base: B,
  code: C,
  message: string,
  stackStart: (...args: never[]) => unknown,
): InstanceType<B> & { code: C } {
  const err = new Base(message) as InstanceType<B> & { code: C };
  // Start the stack at the caller of the factory, as Node's hideStackFrames does.
  Error.captureStackTrace(err, stackStart);
  // Node assigns `code` as a plain (enumerable) own property.
  err.code = code;
  // Node prints `TypeError [ERR_X]: message` from String(err) and in the stack,
  // while `err.name` stays the plain 'TypeError' so instanceof/name checks are
  // unchanged. toString is a non-enumerable own method, as in Node.
  Object.defineProperty(err, 'toString', {
    value(this: Error) {
      return `${this.name} [${code}]: ${this.message}`;
    },
    writable: true,
    enumerable: false,
    configurable: true,
  });
  const stack = err.stack;
  if (typeof stack === 'string') {
    const head = `${Base.name}: `;
    if (stack.startsWith(head)) err.stack = `${Base.name} [${code}]: ${stack.slice(head.length)}`;
  }
  return err;
}

// Node's kTypes: names written in lower case in the message ("of type number").
const primitiveTypeNames = new Set([
  'string', 'function', 'number', 'object', 'Function', 'Object', 'boolean', 'bigint', 'symbol',
]);
const classNamePattern = /^([A-Z][a-z0-9]*)+$/;

function listWith(items: readonly string[], joiner: string): string {
  if (items.length > 2) return `${items.slice(0, -1).join(', ')}, ${joiner} ${items[items.length - 1]}`;
  return items.join(` ${joiner} `);
}

/** Node's `determineSpecificType`: how a received value is shown after "Received". */
export function describeReceived(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'bigint':
      return `type bigint (${value}n)`;
    case 'number':
      if (value === 0) return Object.is(value, -0) ? 'type number (-0)' : 'type number (0)';
      return `type number (${value})`;
    case 'boolean':
      return `type boolean (${value})`;
    case 'symbol':
      return `type symbol (${String(value)})`;
    case 'function':
      return `function ${(value as { name?: unknown }).name}`;
    case 'object': {
      const ctor = (value as { constructor?: { name?: unknown } }).constructor;
      if (ctor && 'name' in ctor) return `an instance of ${String(ctor.name)}`;
      return inspect(value, { depth: -1 });
    }
    case 'string': {
      const shown = value.length > 28 ? `${value.slice(0, 25)}...` : value;
      return shown.includes("'") ? `type string (${JSON.stringify(shown)})` : `type string ('${shown}')`;
    }
    default: {
      let shown = inspect(value, { colors: false });
      if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
      return `type ${typeof value} (${shown})`;
    }
  }
}

function argumentLabel(name: string): string {
  if (name.endsWith(' argument')) return `The ${name}`;
  return `The "${name}" ${name.includes('.') ? 'property' : 'argument'}`;
}

/**
 * ERR_INVALID_ARG_TYPE. `expected` uses Node's vocabulary: lower-case type
 * names ('number', 'string', 'Object'), class names ('Buffer', 'TypedArray'),
 * or free text ('a valid port').
 */
export function invalidArgType(name: string, expected: string | readonly string[], actual: unknown): TypeError & { code: 'ERR_INVALID_ARG_TYPE' } {
  checkFactoryName(name);
  if (typeof expected !== 'string' && !(Array.isArray(expected) && expected.every((e) => typeof e === 'string'))) {
    throw invalidArgType('expected', ['string', 'Array'], expected);
  }
  const list = typeof expected === 'string' ? [expected] : [...expected];
  const types: string[] = [];
  const instances: string[] = [];
  const other: string[] = [];
  for (const value of list) {
    if (primitiveTypeNames.has(value)) types.push(value.toLowerCase());
    else if (classNamePattern.test(value)) instances.push(value);
    else other.push(value);
  }
  // With class names present, "object" reads better as "an instance of ... Object".
  if (instances.length > 0) {
    const pos = types.indexOf('object');
    if (pos !== -1) {
      types.splice(pos, 1);
      instances.push('Object');
    }
  }
  let msg = `${argumentLabel(name)} must be `;
  if (types.length > 0) {
    msg += types.length === 1 ? `of type ${types[0]}` : `one of type ${listWith(types, 'or')}`;
    if (instances.length > 0 || other.length > 0) msg += ' or ';
  }
  if (instances.length > 0) {
    msg += `an instance of ${listWith(instances, 'or')}`;
    if (other.length > 0) msg += ' or ';
  }
  if (other.length > 0) {
    if (other.length > 1) msg += `one of ${listWith(other, 'or')}`;
    else msg += `${other[0].toLowerCase() !== other[0] ? 'an ' : ''}${other[0]}`;
  }
  msg += `. Received ${describeReceived(actual)}`;
  return makeNodeError(TypeError, 'ERR_INVALID_ARG_TYPE', msg, invalidArgType);
}

// The factories are exported, so they check their own arguments: a factory that throws an untyped
// error while building a typed one would hide the caller's real mistake.
function checkFactoryName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw invalidArgType('name', 'string', name);
}

function checkReason(name: string, reason: unknown): asserts reason is string {
  if (typeof reason !== 'string') throw invalidArgType(name, 'string', reason);
}

function invalidArgValueMessage(name: string, value: unknown, reason: string): string {
  checkFactoryName(name);
  checkReason('reason', reason);
  let shown = inspect(value);
  if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
  return `The ${name.includes('.') ? 'property' : 'argument'} '${name}' ${reason}. Received ${shown}`;
}

/** ERR_INVALID_ARG_VALUE as a TypeError: the value has the right type but is not acceptable. */
export function invalidArgValue(name: string, value: unknown, reason = 'is invalid'): TypeError & { code: 'ERR_INVALID_ARG_VALUE' } {
  return makeNodeError(TypeError, 'ERR_INVALID_ARG_VALUE', invalidArgValueMessage(name, value, reason), invalidArgValue);
}

/** ERR_INVALID_ARG_VALUE as a RangeError, as Node uses for inconsistent bounds (e.g. min above max). */
export function invalidArgValueRange(name: string, value: unknown, reason = 'is invalid'): RangeError & { code: 'ERR_INVALID_ARG_VALUE' } {
  return makeNodeError(RangeError, 'ERR_INVALID_ARG_VALUE', invalidArgValueMessage(name, value, reason), invalidArgValueRange);
}

// Node writes big integers as 1_099_511_627_776 so their size is readable.
function withNumericSeparators(digits: string): string {
  const start = digits.startsWith('-') ? 1 : 0;
  let res = '';
  let i = digits.length;
  for (; i >= start + 4; i -= 3) res = `_${digits.slice(i - 3, i)}${res}`;
  return `${digits.slice(0, i)}${res}`;
}

/** ERR_OUT_OF_RANGE: `range` completes "It must be ..." (e.g. '>= 0 && <= 65535', 'an integer'). */
export function outOfRange(name: string, range: string, value: unknown): RangeError & { code: 'ERR_OUT_OF_RANGE' } {
  checkFactoryName(name);
  checkReason('range', range);
  let received: string;
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) > 2 ** 32) {
    received = withNumericSeparators(String(value));
  } else if (typeof value === 'bigint') {
    received = String(value);
    if (value > 2n ** 32n || value < -(2n ** 32n)) received = withNumericSeparators(received);
    received += 'n';
  } else {
    received = inspect(value);
  }
  const msg = `The value of "${name}" is out of range. It must be ${range}. Received ${received}`;
  return makeNodeError(RangeError, 'ERR_OUT_OF_RANGE', msg, outOfRange);
}

/** ERR_INVALID_THIS: a method or getter called on an object of another class, as Node words it. */
export function invalidThis(type: string): TypeError & { code: 'ERR_INVALID_THIS' } {
  return makeNodeError(TypeError, 'ERR_INVALID_THIS', `Value of "this" must be of type ${type}`, invalidThis);
}

/** ERR_ILLEGAL_CONSTRUCTOR: a class only this package may construct (as Node's CryptoKey). */
export function illegalConstructor(): TypeError & { code: 'ERR_ILLEGAL_CONSTRUCTOR' } {
  return makeNodeError(TypeError, 'ERR_ILLEGAL_CONSTRUCTOR', 'Illegal constructor', illegalConstructor);
}
