// Argument checks shared by the store functions and acquireCredentialsHandle's `certificate` option.
// They run before anything needs Windows, so they hold on every platform.
import type { NativeStoreFind, NativeStoreLocation } from '../native';
import { invalidArgValue } from '../sspi/errors';
import { validateObject, validateOneOf, validateString } from '../sspi/validate';
import type { StorePlace } from './errors';
import type { StoreLocation } from './info';
import { normalizeThumbprint } from './thumbprint';

export const storeLocations: readonly StoreLocation[] = ['CurrentUser', 'LocalMachine'];

export interface StoreOptions {
  /** Default 'CurrentUser'. */
  location?: StoreLocation;
  /** A system store name: 'MY' (default: personal certificates), 'ROOT', 'CA', 'TrustedPeople', or any other. */
  store?: 'MY' | 'ROOT' | 'CA' | 'TrustedPeople' | (string & {});
}

export interface FindOptions extends StoreOptions {
  /** SHA-1 thumbprint: hex in any case, spaces/colons allowed, or 20 bytes. */
  thumbprint?: string | Uint8Array;
  /** Case-insensitive substring of any subject attribute (CERT_FIND_SUBJECT_STR_W). */
  subject?: string;
  /** Case-insensitive substring of any issuer attribute (CERT_FIND_ISSUER_STR_W). */
  issuer?: string;
}

export interface ValidatedFind {
  find: NativeStoreFind;
  /** For messages: 'thumbprint 0A1B...' or 'subject "client"'. */
  criteria: string;
}

export function nativeLocation(location: StoreLocation): NativeStoreLocation {
  return location === 'LocalMachine' ? 1 : 0;
}

/** The store a call is about, defaults filled in; `name` prefixes property names in errors. */
export function validatePlace(options: Record<string, unknown>, name = 'options', defaultStore = 'MY'): StorePlace {
  const location = options.location === undefined ? 'CurrentUser' : options.location;
  validateOneOf(location, `${name}.location`, storeLocations);
  const store = options.store === undefined ? defaultStore : options.store;
  validateString(store, `${name}.store`);
  if (store.length === 0 || store.includes('\0') || store.includes('\\')) {
    throw invalidArgValue(`${name}.store`, store, 'must be a store name such as MY, ROOT, CA or TrustedPeople');
  }
  return { location, store };
}

/** Exactly one of thumbprint, subject, issuer (issuer only where `allowIssuer`). */
export function validateFind(options: Record<string, unknown>, name = 'options', allowIssuer = true): ValidatedFind {
  const keys = (allowIssuer ? ['thumbprint', 'subject', 'issuer'] : ['thumbprint', 'subject']).filter(
    (key) => options[key] !== undefined,
  );
  if (keys.length !== 1) {
    const wanted = allowIssuer ? 'one of thumbprint, subject or issuer' : 'one of thumbprint or subject';
    throw invalidArgValue(name, options, `must name exactly ${wanted}`);
  }
  const key = keys[0];
  if (key === 'thumbprint') {
    const thumbprint = normalizeThumbprint(options.thumbprint, `${name}.thumbprint`);
    return { find: { by: 1, sha1: Buffer.from(thumbprint, 'hex') }, criteria: `thumbprint ${thumbprint}` };
  }
  const text = options[key];
  validateString(text, `${name}.${key}`);
  if (text.length === 0 || text.includes('\0')) throw invalidArgValue(`${name}.${key}`, text, 'must not be empty');
  return { find: { by: key === 'subject' ? 2 : 3, text }, criteria: `${key} containing ${JSON.stringify(text)}` };
}

export function validateOptionsObject(options: unknown, name = 'options'): Record<string, unknown> {
  validateObject(options, name);
  return options;
}
