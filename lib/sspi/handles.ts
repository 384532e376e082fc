// The JS owners of SSPI handles. Each wraps a native object (never a handle value) and can be
// released early with dispose() / `using`; garbage collection frees whatever is left.
import { native, type NativeContext, type NativeCredential } from '../native';
import { failure } from './check';
import { invalidArgType } from './errors';

const credentialNatives = new WeakMap<CredentialsHandle, NativeCredential>();
const contextNatives = new WeakMap<SecurityContext, NativeContext>();

export class CredentialsHandle implements Disposable {
  /** When Schannel says the credential expires (null: no expiry reported). */
  readonly expiry: Date | null;
  /** SECPKG_CRED_* the credential was acquired for. */
  readonly use: 'inbound' | 'outbound' | 'both';
  /** Whether it was built from SCH_CREDENTIALS (true) or the older SCHANNEL_CRED. */
  readonly usedSchCredentials: boolean;

  /** @internal Made by acquireCredentialsHandle(). */
  constructor(nativeCredential: NativeCredential, info: { expiry: Date | null; use: CredentialsHandle['use']; usedSchCredentials: boolean }) {
    credentialNatives.set(this, nativeCredential);
    this.expiry = info.expiry;
    this.use = info.use;
    this.usedSchCredentials = info.usedSchCredentials;
  }

  /** True after dispose(). Contexts made from it keep working until they are deleted. */
  get disposed(): boolean {
    return credentialNatives.get(this)!.disposed;
  }

  /**
   * Another handle to the same Windows credential, released on its own: a connection takes one
   * so that the credential outlives whoever handed it over. SEC_E_INVALID_HANDLE once disposed.
   */
  share(): CredentialsHandle {
    const shared = credentialNatives.get(this)!.share();
    if (!shared) throw failure(0x80090301, 'share');
    return new CredentialsHandle(shared, { expiry: this.expiry, use: this.use, usedSchCredentials: this.usedSchCredentials });
  }

  /** Releases this reference; FreeCredentialsHandle runs once no context uses the credential. Idempotent. */
  dispose(): void {
    credentialNatives.get(this)!.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

export class SecurityContext implements Disposable {
  /** @internal Made by initializeSecurityContext() / acceptSecurityContext(). */
  constructor(nativeContext: NativeContext, readonly role: 'client' | 'server') {
    contextNatives.set(this, nativeContext);
  }

  /** True once DeleteSecurityContext has run. */
  get deleted(): boolean {
    return contextNatives.get(this)!.deleted;
  }

  /** DeleteSecurityContext if not done yet. Idempotent; use deleteSecurityContext() to see the status. */
  dispose(): void {
    const handle = contextNatives.get(this)!;
    if (!handle.deleted) native().deleteSecurityContext(handle);
  }

  [Symbol.dispose](): void {
    this.dispose();
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
    wrapper = new SecurityContext(handle, role);
    wrappers.set(handle, wrapper);
  }
  return wrapper;
}
