// A server identity as a value: tls.createSecureContext's role, for SNI (SNICallback, addContext).
// The credential comes from the same function createServer() and setSecureContext() use, so the
// options are checked, and credentials cached, the same way everywhere.
import { DEFAULT_MAX_VERSION, DEFAULT_MIN_VERSION } from 'node:tls';
import type { StoreOptions } from '../certstore';
import { CredentialsHandle, SchCredFlags, type TlsVersion } from '../sspi';
import { invalidArgType } from '../sspi/errors';
import { assertInternalConstruction, constructInternally } from '../sspi/internal-construction';
import { validateObject } from '../sspi/validate';
import { cachedCredential } from './credential-cache';
import { identityFromPem } from './pem-identity';

/** What says who a server is: its certificate and key in one of four forms, and its protocol range. */
export interface ServerIdentityOptions {
  /** The server certificate and key as PKCS#12... */
  pfx?: Buffer | Uint8Array;
  /** ...or as PEM (the certificate first, then its chain), as node:tls takes them. */
  key?: string | Buffer | readonly (string | Buffer)[];
  cert?: string | Buffer | readonly (string | Buffer)[];
  /** The passphrase of `pfx`, or of an encrypted `key`. */
  passphrase?: string;
  /** The server certificate from a Windows store, with its private key (which may be non-exportable). */
  certificate?: StoreOptions & { thumbprint?: string | Uint8Array; subject?: string };
  /** A ready credential (use: 'inbound'). */
  credential?: CredentialsHandle;
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
}

/**
 * The inbound credential for an identity. `owned`: the handle is a share made for the caller, who
 * disposes it; otherwise it is the credential cache's, shared by everyone with the same options.
 */
export function acquireServerCredential(options: ServerIdentityOptions): { credential: CredentialsHandle; owned: boolean } {
  if (options.credential === undefined && !options.pfx && !options.certificate && options.key === undefined && options.cert === undefined) {
    throw invalidArgType('options.pfx', ['Buffer', 'Uint8Array'], options.pfx);
  }
  if (options.credential !== undefined) {
    if (!(options.credential instanceof CredentialsHandle)) throw invalidArgType('options.credential', 'CredentialsHandle', options.credential);
    // A share of its own: the caller may dispose theirs. A disposed one is SEC_E_INVALID_HANDLE now,
    // not on every connection later.
    return { credential: options.credential.share(), owned: true };
  }
  const fromPem = identityFromPem(options);
  const credential = cachedCredential({
    use: 'inbound',
    flags: SchCredFlags.USE_STRONG_CRYPTO,
    minVersion: options.minVersion ?? (DEFAULT_MIN_VERSION as TlsVersion),
    maxVersion: options.maxVersion ?? (DEFAULT_MAX_VERSION as TlsVersion),
    ...(fromPem ? { pfx: fromPem, passphrase: '' } : options.certificate ? { certificate: options.certificate } : { pfx: options.pfx, passphrase: options.passphrase }),
  });
  return { credential, owned: false };
}

const credentials = new WeakMap<SchannelSecureContext, CredentialsHandle>();

/**
 * A server identity made once, for SNICallback and server.addContext() (tls.SecureContext's role).
 * It holds its own reference to the inbound credential, released when it is garbage collected.
 */
export class SchannelSecureContext {
  /** @internal Made by createSecureContext() only. */
  constructor(credential: CredentialsHandle) {
    assertInternalConstruction(SchannelSecureContext);
    credentials.set(this, credential);
  }
}

/** @internal The credential a context holds (undefined for anything that is not one). */
export function secureContextCredential(context: unknown): CredentialsHandle | undefined {
  return credentials.get(context as SchannelSecureContext);
}

/**
 * tls.createSecureContext over Schannel: the server identity options createServer() takes (`pfx` +
 * `passphrase`, `key` + `cert`, `certificate`, `credential`, `minVersion`/`maxVersion`), checked
 * and turned into a credential now.
 */
export function createSecureContext(options: ServerIdentityOptions): SchannelSecureContext {
  validateObject(options, 'options');
  const { credential, owned } = acquireServerCredential(options);
  // Its own reference even to a cached credential: the cache may evict that one while the context lives.
  const held = owned ? credential : credential.share();
  return constructInternally(SchannelSecureContext, () => new SchannelSecureContext(held));
}
