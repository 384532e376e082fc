// SecBuffer lists as plain objects: { type, data } in, { type, size, data } out.
import type { NativeBufferResult } from '../native';
import { SecBufferType } from './flags';
import { validateArray, validateBufferLike, validateObject, validateUint32 } from './validate';

export type SecBufferTypeName = keyof typeof SecBufferType;

/** An input SecBuffer: its type (SECBUFFER_*) and bytes (none for EMPTY). */
export interface SecBufferInput {
  type: number;
  data?: Uint8Array | null;
}

/** An output SecBuffer to prepare: its type, and a size when SSPI is not asked to allocate. */
export interface SecBufferOutputSpec {
  type: number;
  size?: number;
}

/** A buffer as a call left it. `data` is null for EMPTY and MISSING buffers. */
export interface SecBufferResult {
  type: number;
  typeName: SecBufferTypeName | string;
  size: number;
  data: Buffer | null;
}

const typeNames = new Map<number, string>(Object.entries(SecBufferType).map(([name, value]) => [value, name]));

export function bufferTypeName(type: number): string {
  validateUint32(type, 'type');
  return typeNames.get(type) ?? `0x${type.toString(16)}`;
}

export function toInputBuffers(value: unknown, name: string): { type: number; data: Buffer | null }[] {
  validateArray(value, name);
  return value.map((item, i) => {
    validateObject(item, `${name}[${i}]`);
    validateUint32(item.type, `${name}[${i}].type`);
    const data = item.data === undefined || item.data === null ? null : validateBufferLike(item.data, `${name}[${i}].data`);
    return { type: item.type, data };
  });
}

export function toOutputSpecs(value: unknown, name: string): { type: number; size?: number }[] {
  validateArray(value, name);
  return value.map((item, i) => {
    validateObject(item, `${name}[${i}]`);
    validateUint32(item.type, `${name}[${i}].type`);
    if (item.size !== undefined) validateUint32(item.size, `${name}[${i}].size`);
    return { type: item.type, size: item.size as number | undefined };
  });
}

export function fromNativeBuffers(list: NativeBufferResult[] | undefined): SecBufferResult[] {
  return (list ?? []).map((b) => ({ type: b.type, typeName: bufferTypeName(b.type), size: b.size, data: b.data }));
}

/** The bytes of the first buffer of a type, or null. */
export function firstOfType(list: SecBufferResult[], type: number): SecBufferResult | null {
  return list.find((b) => b.type === type) ?? null;
}
