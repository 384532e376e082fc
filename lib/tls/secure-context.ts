// TLS options as a value: tls.createSecureContext's role, for connect({ secureContext }) and for SNI
// (SNICallback, addContext). A server credential comes from the same function createServer() and
// setSecureContext() use, so the options are checked, and credentials cached, the same way everywhere.
import * as nodeTls from 'node:tls';
import { DEFAULT_MAX_VERSION, DEFAULT_MIN_VERSION } from 'node:tls';
import type { StoreOptions } from '../certstore';
import { acquireCredentialsHandle, CredentialsHandle, SchCredFlags, tlsVersions, type TlsVersion } from '../sspi';
import { invalidArgType, invalidArgValue } from '../sspi/errors';
import { assertInternalConstruction, constructInternally } from '../sspi/internal-construction';
import { validateObject, validateOneOf } from '../sspi/validate';
import { tlsCaOption } from '../certs/verify';
import { cachedCredential } from './credential-cache';
import { credentialIdentity } from './pem-identity';

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
  const credential = cachedCredential({
    use: 'inbound',
    flags: SchCredFlags.USE_STRONG_CRYPTO,
    minVersion: options.minVersion ?? (DEFAULT_MIN_VERSION as TlsVersion),
    maxVersion: options.maxVersion ?? (DEFAULT_MAX_VERSION as TlsVersion),
    ...credentialIdentity(options),
  });
  return { credential, owned: false };
}

/** What createSecureContext() takes: a server identity, or a client's identity and trusted roots. */
export interface SecureContextOptions extends ServerIdentityOptions {
  /** Trusted roots (PEM or DER) for a client that connects with this context; they replace the system roots. */
  ca?: string | Buffer | readonly (string | Buffer)[];
}

/** Why a context without a certificate cannot serve. */
const NO_CERTIFICATE = 'has no certificate: createSecureContext() was given no pfx, key + cert, certificate or credential';

/** What a context keeps: its checked options and, when it names an identity, its server credential. */
interface ContextState {
  options: Readonly<SecureContextOptions>;
  /** Undefined for a context without a certificate (a client's roots only), or one Schannel takes for a client only. */
  serverCredential: CredentialsHandle | undefined;
  /** Why the certificate cannot serve, when Schannel took it for a client only. */
  serverError: Error | undefined;
}

const states = new WeakMap<SchannelSecureContext, ContextState>();

/**
 * tls.SecureContext's role: options made once and handed to connect({ secureContext }),
 * server.addContext() and SNICallback. A context with a certificate holds its own reference to the
 * inbound credential, released when it is garbage collected.
 */
export class SchannelSecureContext {
  /** @internal Made by createSecureContext() only. */
  constructor(state: ContextState) {
    assertInternalConstruction(SchannelSecureContext);
    states.set(this, state);
  }
}

const hasIdentity = (o: ServerIdentityOptions): boolean =>
  o.credential !== undefined || o.pfx !== undefined || o.certificate !== undefined || o.key !== undefined || o.cert !== undefined;

/**
 * @internal The server credential of a createSecureContext() result; ERR_INVALID_ARG_VALUE for a
 * context without a certificate, and Schannel's own error for one it takes for a client only.
 */
export function serverCredentialOf(context: SchannelSecureContext, name: string): CredentialsHandle {
  const state = states.get(context)!;
  if (state.serverCredential) return state.serverCredential;
  throw state.serverError ?? invalidArgValue(name, '[SchannelSecureContext]', NO_CERTIFICATE);
}

/** @internal Whether `value` is a createSecureContext() result. */
export function isSecureContext(value: unknown): value is SchannelSecureContext {
  return states.has(value as SchannelSecureContext);
}

/**
 * A node:tls SecureContext holds an OpenSSL SSL_CTX, which Schannel cannot use: told apart so that
 * the error names what to pass instead.
 */
export function isNodeSecureContext(value: unknown): boolean {
  // tls.SecureContext is there at run time though @types/node declares only its instance type.
  const NodeSecureContext = (nodeTls as unknown as { SecureContext?: abstract new (...args: never[]) => object }).SecureContext;
  if (typeof NodeSecureContext === 'function') return value instanceof NodeSecureContext;
  return (value as { constructor?: { name?: string } } | null)?.constructor?.name === 'SecureContext' && 'context' in (value as object);
}

/** Whether Schannel takes the identity of `options` for a client (an outbound credential). */
function goodForClient(options: ServerIdentityOptions): boolean {
  try {
    acquireCredentialsHandle({ use: 'outbound', flags: SchCredFlags.MANUAL_CRED_VALIDATION | SchCredFlags.NO_DEFAULT_CREDS, ...credentialIdentity(options) }).dispose();
    return true;
  } catch {
    return false;
  }
}

/**
 * tls.createSecureContext over Schannel, checked now as node:tls checks it: a certificate and key
 * (`pfx` + `passphrase`, `key` + `cert`, a store `certificate`, or a `credential`) become the inbound
 * credential at once, so a bad one fails here; `ca` is parsed here; `minVersion`/`maxVersion` apply
 * to both roles. The same context serves connect({ secureContext }) (its identity is then the
 * client certificate, its `ca` the trusted roots) and a server (addContext, SNICallback).
 */
export function createSecureContext(options: SecureContextOptions = {}): SchannelSecureContext {
  validateObject(options, 'options');
  tlsCaOption(options.ca); // checked now; connect() gets the parse from tlsCaOption's cache
  for (const name of ['minVersion', 'maxVersion'] as const) {
    if (options[name] !== undefined) validateOneOf(options[name], `options.${name}`, tlsVersions);
  }
  let serverCredential: CredentialsHandle | undefined;
  let serverError: Error | undefined;
  if (hasIdentity(options)) {
    try {
      const { credential, owned } = acquireServerCredential(options);
      // Its own reference even to a cached credential: the cache may evict that one while the context lives.
      serverCredential = owned ? credential : credential.share();
    } catch (error) {
      // A certificate Schannel refuses to serve with may still be a good client certificate (one
      // for client authentication only, a key a server credential cannot use): the context then
      // serves connect(), and a server that is given it gets this error. A certificate that is no
      // good for a client either is refused now.
      if (options.credential !== undefined || !goodForClient(options)) throw error;
      serverError = error as Error;
    }
  }
  const state: ContextState = { options: Object.freeze({ ...options }), serverCredential, serverError };
  return constructInternally(SchannelSecureContext, () => new SchannelSecureContext(state));
}

/** @internal A context for a server from identity options (addContext): without a certificate it is the error createServer gives. */
export function serverSecureContext(options: ServerIdentityOptions): SchannelSecureContext {
  if (!hasIdentity(options)) throw invalidArgType('options.pfx', ['Buffer', 'Uint8Array'], options.pfx);
  return createSecureContext(options);
}

/** The options a `secureContext` stands for (node:tls takes them from the context, not beside it). */
const CONTEXT_KEYS = ['pfx', 'key', 'cert', 'passphrase', 'certificate', 'credential', 'ca', 'minVersion', 'maxVersion'] as const;

/**
 * node:tls's rule for a `secureContext` option (connect, createServer): the context's certificate,
 * roots and protocol range replace the options' own, which are ignored. A node:tls SecureContext
 * is refused with a TypeError naming what to pass instead, since Schannel cannot use its SSL_CTX.
 */
export function withSecureContext<T extends SecureContextOptions & { secureContext?: unknown }>(options: T, role: 'client' | 'server'): T {
  const context = options.secureContext;
  if (context === undefined) return options;
  if (!isSecureContext(context)) {
    const error = invalidArgType('options.secureContext', 'SchannelSecureContext', context);
    if (isNodeSecureContext(context)) error.message += ' (a node:tls SecureContext holds an OpenSSL context: make it with schannel.createSecureContext())';
    throw error;
  }
  const state = states.get(context)!;
  if (role === 'client' && state.options.credential !== undefined) {
    throw invalidArgValue('options.secureContext', '[SchannelSecureContext]', 'was made from a credential, which serves a server only (give a client its certificate as pfx, key + cert or certificate)');
  }
  const rest = { ...options } as Record<string, unknown>;
  for (const key of CONTEXT_KEYS) delete rest[key];
  // A server uses the context's own credential (a share of it), not a second one for the same identity.
  return { ...rest, ...state.options, ...(role === 'server' ? { credential: serverCredentialOf(context, 'options.secureContext') } : {}) } as T;
}
