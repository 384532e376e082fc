// Credentials are acquired once per distinct set of options and shared by every connection that
// uses them. Acquiring per connection costs an order of magnitude in handshake rate, and Schannel's
// session cache is keyed by credential, so resumption only works when credentials are reused.
import { createHash } from 'node:crypto';
import { acquireCredentialsHandle, type AcquireCredentialsOptions, type CredentialsHandle } from '../sspi';

const MAX_ENTRIES = 64;
const cache = new Map<string, CredentialsHandle>();

function cacheKey(options: AcquireCredentialsOptions): string {
  const hash = createHash('sha256');
  const { pfx, passphrase, ...rest } = options;
  hash.update(JSON.stringify(rest, Object.keys(rest).sort()));
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
