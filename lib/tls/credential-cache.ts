// Credentials are acquired once per distinct set of options and shared by every connection that
// uses them. Acquiring per connection costs an order of magnitude in handshake rate, and Schannel's
// session cache is keyed by credential, so resumption only works when credentials are reused.
import { createHash } from 'node:crypto';
import { acquireCredentialsHandle, type AcquireCredentialsOptions, type CredentialsHandle } from '../sspi';

const MAX_ENTRIES = 64;
const cache = new Map<string, CredentialsHandle>();

// Functions (a clientCertificate chooser, say) and opaque objects (a secureContext) are told apart by identity.
const identityIds = new WeakMap<object, number>();
let nextIdentityId = 1;
/** A number that stands for this object (or function) and no other, for keys built from options. */
export function identityId(value: object): number {
  let id = identityIds.get(value);
  if (id === undefined) identityIds.set(value, (id = nextIdentityId++));
  return id;
}

/**
 * Every option, nested ones included, in one stable text: keys sorted at each level, bytes as hex.
 * (JSON.stringify with a key list would not do: the list filters nested objects too, so
 * `certificate: { thumbprint }` of two different certificates gave the same key, and the second
 * connection presented the first one's certificate.)
 */
export function canonical(value: unknown): string {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (value instanceof ArrayBuffer) return `bytes:${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    return `{${entries.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `function#${identityId(value)}`;
  return value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
}

/** @internal exported for the unit tests. */
export function cacheKey(options: AcquireCredentialsOptions): string {
  const hash = createHash('sha256');
  const { pfx, passphrase, ...rest } = options;
  hash.update(canonical(rest));
  if (pfx) hash.update(Buffer.from(pfx as ArrayBuffer));
  if (passphrase !== undefined) hash.update(`\0${passphrase}`);
  return hash.digest('hex');
}

/** The shared credential for these options, acquired on first use. */
export function cachedCredential(options: AcquireCredentialsOptions): CredentialsHandle {
  const key = cacheKey(options);
  const found = cache.get(key);
  if (found && !found.disposed) {
    cache.delete(key); // most recently used goes last
    cache.set(key, found);
    return found;
  }
  const credential = acquireCredentialsHandle(options);
  cache.set(key, credential);
  if (cache.size > MAX_ENTRIES) {
    const [oldestKey, oldest] = cache.entries().next().value as [string, CredentialsHandle];
    cache.delete(oldestKey);
    oldest.dispose(); // connections still using it keep it alive natively
  }
  return credential;
}

/** Disposes every cached credential (connections in progress keep theirs until they end). */
export function clearCredentialCache(): void {
  for (const credential of cache.values()) credential.dispose();
  cache.clear();
}

export function credentialCacheSize(): number {
  return cache.size;
}
