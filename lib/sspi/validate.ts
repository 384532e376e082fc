// Argument validators run before anything crosses into native code, so a bad
// argument is a Node-style TypeError/RangeError with a stable `code`, never a
// crash or an opaque SEC_E_INVALID_PARAMETER. They mirror Node's
// lib/internal/validators.js in behaviour and wording.

import { types } from 'node:util';
import { invalidArgType, invalidArgValue, outOfRange } from './errors';

export interface ValidateObjectOptions {
  /** Accept `null` as well (default false). */
  nullable?: boolean;
}

/** A plain or class-instance object: not null (unless nullable), not an array, not a function. */
export function validateObject(value: unknown, name: string, options?: { nullable?: false }): asserts value is Record<string, unknown>;
export function validateObject(value: unknown, name: string, options: ValidateObjectOptions): asserts value is Record<string, unknown> | null;
export function validateObject(value: unknown, name: string, options: ValidateObjectOptions = {}): void {
  if (value === null && options.nullable === true) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgType(name, 'Object', value);
  }
}

export function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw invalidArgType(name, 'string', value);
}

/**
 * A host or target name: a non-empty string without NUL or other control characters. Windows
 * takes names as NUL-terminated strings, so "good.example\0.evil" would be checked as
 * "good.example": such a name is refused outright.
 */
export function validateHostName(value: unknown, name: string): asserts value is string {
  validateString(value, name);
  // eslint-disable-next-line no-control-regex
  if (value.length === 0 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw invalidArgValue(name, value, 'must be a non-empty name without control characters');
  }
}

export function validateBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalidArgType(name, 'boolean', value);
}

// `any[]` parameters so the narrowed value can be called with whatever the caller passes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function validateFunction(value: unknown, name: string): asserts value is (...args: any[]) => unknown {
  if (typeof value !== 'function') throw invalidArgType(name, 'Function', value);
}

export interface ValidateUint32Options {
  /** Reject 0 as well (default false). */
  positive?: boolean;
}

/** An integer in 0..2^32-1 (1..2^32-1 when positive): the range of a Windows ULONG/DWORD. */
export function validateUint32(value: unknown, name: string, options: ValidateUint32Options = {}): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  const min = options.positive === true ? 1 : 0;
  const max = 4_294_967_295;
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
}

export interface ValidateInt32Options {
  min?: number;
  max?: number;
}

/** An integer in -2^31..2^31-1, optionally narrowed by min/max: the range of a Windows LONG. */
export function validateInt32(value: unknown, name: string, options: ValidateInt32Options = {}): asserts value is number {
  const { min = -2_147_483_648, max = 2_147_483_647 } = options;
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
}

const bufferLikeTypes = ['Buffer', 'TypedArray', 'DataView', 'ArrayBuffer'] as const;

/**
 * Any binary input as a Buffer that shares memory with the input (no copy),
 * so a large ciphertext is not duplicated on its way to native code.
 * Strings are rejected: the caller must say which encoding it meant. A bare
 * SharedArrayBuffer is not accepted either, since it usually means another
 * thread can rewrite the bytes while Windows reads them.
 */
export function validateBufferLike(value: unknown, name: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  // types.isArrayBuffer also recognises ArrayBuffers from other realms (vm, workers' transfers).
  if (types.isArrayBuffer(value)) return Buffer.from(value);
  throw invalidArgType(name, bufferLikeTypes, value);
}

/** One of a fixed set of values, compared with SameValueZero (Array.prototype.includes). */
export function validateOneOf<T>(value: unknown, name: string, allowed: readonly T[]): asserts value is T {
  if (!allowed.includes(value as T)) {
    const list = allowed.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
    throw invalidArgValue(name, value, `must be one of: ${list}`);
  }
}

/** An array with at least minLength entries (default 0). */
export function validateArray(value: unknown, name: string, minLength = 0): asserts value is unknown[] {
  if (!Array.isArray(value)) throw invalidArgType(name, 'Array', value);
  if (value.length < minLength) throw invalidArgValue(name, value, `must be longer than ${minLength}`);
}
