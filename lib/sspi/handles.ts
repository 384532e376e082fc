// The JS owners of SSPI handles. Each wraps a native object (never a handle value) and can be
// released early with dispose() / `using`; garbage collection frees whatever is left.
import { native, type NativeContext, type NativeCredential } from '../native';
import { failure } from './check';
import { invalidArgType, invalidThis } from './errors';
import { assertInternalConstruction, constructInternally } from './internal-construction';

const credentialNatives = new WeakMap<CredentialsHandle, NativeCredential>();
const contextNatives = new WeakMap<SecurityContext, NativeContext>();

function credentialOf(self: unknown): NativeCredential {
  const handle = credentialNatives.get(self as CredentialsHandle);
  if (!handle) throw invalidThis('CredentialsHandle');
  return handle;
}

function contextOf(self: unknown): NativeContext {
  const handle = contextNatives.get(self as SecurityContext);
  if (!handle) throw invalidThis('SecurityContext');
  return handle;
}

/** @internal The CredentialsHandle for a credential acquireCredentialsHandle() just made. */
export function adoptCredential(handle: NativeCredential, info: CredentialInfo): CredentialsHandle {
  return constructInternally(CredentialsHandle, () => new CredentialsHandle(handle, info));
}

interface CredentialInfo {
  expiry: Date | null;
  use: 'inbound' | 'outbound' | 'both';
  usedSchCredentials: boolean;
}

/**
 * @internal Where a credential's own certificate came from, so that a socket can tell which
 * certificate it presents (TLSSocket#getCertificate) where Schannel will not say
 * (SECPKG_ATTR_LOCAL_CERT_CONTEXT is unsupported under Wine, and a client that was not asked for
 * its certificate has none in its context). Kept by reference: every share() of a credential
 * points at the same record, so the certificate is looked up once per credential.
 */
export interface CredentialIdentity {
  readonly source:
    | { readonly kind: 'pfx'; readonly pfx: Buffer; readonly passphrase: string }
    | { readonly kind: 'store'; readonly location: 'CurrentUser' | 'LocalMachine'; readonly store: string; readonly thumbprint?: Buffer; readonly subject?: string };
  /** The certificate's DER once looked up (null: it could not be read); undefined until then. */
  resolved?: Buffer | null;
}

const credentialIdentities = new WeakMap<CredentialsHandle, CredentialIdentity>();

/** @internal Records where `credential`'s certificate came from (acquireCredentialsHandle). */
export function setCredentialIdentity(credential: CredentialsHandle, identity: CredentialIdentity): void {
  credentialIdentities.set(credential, identity);
}

/** @internal Where `credential`'s certificate came from; undefined for a credential without one. */
export function credentialIdentity(credential: CredentialsHandle): CredentialIdentity | undefined {
  return credentialIdentities.get(credential);
}

export class CredentialsHandle implements Disposable {
  /** When Schannel says the credential expires (null: no expiry reported). */
  readonly expiry: Date | null;
  /** SECPKG_CRED_* the credential was acquired for. */
  readonly use: 'inbound' | 'outbound' | 'both';
  /** Whether it was built from SCH_CREDENTIALS (true) or the older SCHANNEL_CRED. */
  readonly usedSchCredentials: boolean;

  /** @internal Made by acquireCredentialsHandle() only; `new` from outside throws ERR_ILLEGAL_CONSTRUCTOR. */
  constructor(nativeCredential: NativeCredential, info: CredentialInfo) {
    assertInternalConstruction(CredentialsHandle);
    credentialNatives.set(this, nativeCredential);
    this.expiry = info.expiry;
    this.use = info.use;
    this.usedSchCredentials = info.usedSchCredentials;
  }

  /** True after dispose(). Contexts made from it keep working until they are deleted. */
  get disposed(): boolean {
    return credentialOf(this).disposed;
  }

  /**
   * Another handle to the same Windows credential, released on its own: a connection takes one
   * so that the credential outlives whoever handed it over. SEC_E_INVALID_HANDLE once disposed.
   */
  share(): CredentialsHandle {
    const shared = credentialOf(this).share();
    if (!shared) throw failure(0x80090301, 'share');
    const copy = adoptCredential(shared, { expiry: this.expiry, use: this.use, usedSchCredentials: this.usedSchCredentials });
    const identity = credentialIdentities.get(this);
    if (identity) credentialIdentities.set(copy, identity);
    return copy;
  }

  /** Releases this reference; FreeCredentialsHandle runs once no context uses the credential. Idempotent. */
  dispose(): void {
    credentialOf(this).dispose();
  }

  [Symbol.dispose](): void {
    CredentialsHandle.prototype.dispose.call(this);
  }
}

export class SecurityContext implements Disposable {
  /** @internal Made by initializeSecurityContext() / acceptSecurityContext() only. */
  constructor(nativeContext: NativeContext, readonly role: 'client' | 'server') {
    assertInternalConstruction(SecurityContext);
    contextNatives.set(this, nativeContext);
  }

  /** True once DeleteSecurityContext has run. */
  get deleted(): boolean {
    return contextOf(this).deleted;
  }

  /** DeleteSecurityContext if not done yet. Idempotent; use deleteSecurityContext() to see the status. */
  dispose(): void {
    const handle = contextOf(this);
    if (!handle.deleted) native().deleteSecurityContext(handle);
  }

  [Symbol.dispose](): void {
    SecurityContext.prototype.dispose.call(this);
  }
}

export function nativeCredential(value: unknown, name: string): NativeCredential {
  const handle = value instanceof CredentialsHandle ? credentialNatives.get(value) : undefined;
  if (!handle) throw invalidArgType(name, 'CredentialsHandle', value);
  return handle;
}

export function nativeContext(value: unknown, name: string): NativeContext {
  const handle = value instanceof SecurityContext ? contextNatives.get(value) : undefined;
  if (!handle) throw invalidArgType(name, 'SecurityContext', value);
  return handle;
}

/** Wraps a native context once: later calls return the same SecurityContext object. */
const wrappers = new WeakMap<NativeContext, SecurityContext>();
export function wrapContext(handle: NativeContext, role: 'client' | 'server'): SecurityContext {
  let wrapper = wrappers.get(handle);
  if (!wrapper) {
    wrapper = constructInternally(SecurityContext, () => new SecurityContext(handle, role));
    wrappers.set(handle, wrapper);
  }
  return wrapper;
}
