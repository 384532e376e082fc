// SHA-1 thumbprints as Windows shows them: 40 upper-case hex digits.
import { createHash } from 'node:crypto';
import { invalidArgType, invalidArgValue } from '../sspi/errors';

/**
 * A thumbprint as typed or pasted: any case, with spaces, colons or hyphens between the digits, and
 * the invisible left-to-right marks (U+200E/U+200F) that Windows' certificate dialog puts in front
 * when it is copied from there. A Buffer/Uint8Array of 20 bytes is taken as is.
 * Returns 40 upper-case hex digits; anything else is ERR_INVALID_ARG_VALUE.
 */
export function normalizeThumbprint(value: unknown, name = 'thumbprint'): string {
  if (value instanceof Uint8Array) {
    if (value.length !== 20) throw invalidArgValue(name, value, 'must be 20 bytes (a SHA-1 thumbprint)');
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex').toUpperCase();
  }
  if (typeof value !== 'string') throw invalidArgType(name, ['string', 'Buffer', 'Uint8Array'], value);
  const digits = value.replace(/[\s:\-\u200e\u200f\ufeff]/g, '');
  if (!/^[0-9a-fA-F]*$/.test(digits)) throw invalidArgValue(name, value, 'must be hexadecimal (a SHA-1 thumbprint)');
  if (digits.length !== 40) {
    throw invalidArgValue(name, value, `must be 40 hex digits (a SHA-1 thumbprint), not ${digits.length}`);
  }
  return digits.toUpperCase();
}

/** The SHA-1 thumbprint of a DER certificate. */
export function thumbprintOf(der: Uint8Array): string {
  // Bytes only: a string would be hashed as its UTF-8 text, a thumbprint of nothing real.
  if (!(der instanceof Uint8Array)) throw invalidArgType('der', ['Buffer', 'Uint8Array'], der);
  return createHash('sha1').update(der).digest('hex').toUpperCase();
}
