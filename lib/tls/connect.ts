// connect(): tls.connect with Schannel underneath. The same options and events, so an existing
// tls.connect call site changes by its import alone.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { DEFAULT_MAX_VERSION, DEFAULT_MIN_VERSION } from 'node:tls';
import { Duplex } from 'node:stream';
import { debuglog } from 'node:util';
import { listCertificates, selectClientCertificateFromStore, type CertificateInfo, type StoreOptions } from '../certstore';
import { SchCredFlags, type AcquireCredentialsOptions, type CredentialsHandle, type TlsVersion } from '../sspi';
import { invalidArgType, invalidArgValue } from '../sspi/errors';
import { validateBoolean, validateFunction, validateHostName, validateObject, validateOneOf, validateUint32 } from '../sspi/validate';
import { requestedSecurityLevel } from '../certs/strength';
import { revocationModes, tlsCaOption, type RevocationMode } from '../certs/verify';
import { cachedCredential } from './credential-cache';
import { credentialIdentity } from './pem-identity';
import { withSecureContext, type SchannelSecureContext } from './secure-context';
import { SchannelSocket } from './socket';

export interface ConnectOptions {
  host?: string;
  port?: number;
  /** An existing Duplex (a connected net.Socket, a proxy tunnel...) to run TLS over. */
  socket?: Duplex;
  /** SNI and the name the certificate must carry. Default: `host`, unless it is an IP address. */
  servername?: string;
  ALPNProtocols?: readonly (string | Uint8Array)[] | Uint8Array;
  /** Default true: a certificate that does not validate ends the connection with its error. */
  rejectUnauthorized?: boolean;
  /** Trusted roots (PEM or DER, one or many). Like node:tls, they replace the system roots. */
  ca?: string | Buffer | readonly (string | Buffer)[];
  checkServerIdentity?: (hostname: string, cert: any) => Error | undefined;
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  /** A client certificate with its key, as PKCS#12... */
  pfx?: Buffer | Uint8Array;
  /** ...or as PEM (the certificate first, then its chain), as node:tls takes them. */
  key?: string | Buffer | readonly (string | Buffer)[];
  cert?: string | Buffer | readonly (string | Buffer)[];
  /** The passphrase of `pfx`, or of an encrypted `key`. */
  passphrase?: string;
  /** A client certificate from a Windows store (with its private key, possibly not exportable). */
  certificate?: StoreOptions & { thumbprint?: string | Uint8Array; subject?: string };
  /**
   * When the server asks for a client certificate the credential does not have
   * (SEC_I_INCOMPLETE_CREDENTIALS): 'auto' picks one from CurrentUser\MY whose chain reaches one of
   * the CAs the server named; a function decides itself (return null to go on without one).
   * Default: go on without a certificate.
   */
  clientCertificate?: 'auto' | ((issuers: Buffer[], candidates: CertificateInfo[]) => CertificateInfo | null | undefined);
  /** Idle timeout in milliseconds (emits 'timeout', as net.Socket does). */
  timeout?: number;
  signal?: AbortSignal;
  /** Revocation checking by the Windows chain engine. Default 'best-effort' (cache only, no stall). */
  revocation?: 'strict' | 'best-effort' | 'off';
  /** OpenSSL's security level (0 to 5) for the server's keys and signatures, checked after crypt32
   *  (lib/certs/strength.ts). Default: node:tls's in this Node; 0 turns the check off. */
  securityLevel?: number;
  /** node:tls's cipher string: only its `@SECLEVEL=N` is used (as securityLevel); Schannel's suites
   *  are the system's policy. */
  ciphers?: string;
  /** Keep writing after the server ends (net.Socket's allowHalfOpen). */
  allowHalfOpen?: boolean;
  /** A createSecureContext() result: its client certificate, `ca` and protocol range replace these options' own (as node:tls). */
  secureContext?: SchannelSecureContext;
  /** Passed on to net.connect. */
  family?: number;
  localAddress?: string;
  localPort?: number;
  lookup?: any;
  [key: string]: unknown;
}

const trace = debuglog('schannel');

function normalizeArgs(args: unknown[]): { options: ConnectOptions; listener?: () => void } {
  let options: ConnectOptions = {};
  let listener: (() => void) | undefined;
  let i = 0;
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && args[0] !== '' && !Number.isNaN(Number(args[0])))) {
    options.port = Number(args[i++]);
    if (typeof args[i] === 'string') options.host = args[i++] as string;
  }
  // As in node:tls, the options object wins over the positional port and host.
  if (args[i] !== null && typeof args[i] === 'object') options = { ...options, ...(args[i++] as ConnectOptions) };
  if (typeof args[i] === 'function') listener = args[i] as () => void;
  return { options, listener };
}

function alpnList(value: ConnectOptions['ALPNProtocols']): string[] | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Uint8Array) {
    // Node's wire format: length-prefixed names.
    const names: string[] = [];
    for (let offset = 0; offset < value.length; ) {
      const length = value[offset];
      names.push(Buffer.from(value.subarray(offset + 1, offset + 1 + length)).toString('latin1'));
      offset += 1 + length;
    }
    return names;
  }
  if (!Array.isArray(value)) throw invalidArgType('options.ALPNProtocols', ['Array', 'Buffer'], value);
  return value.map((p: unknown, i: number) => {
    if (typeof p !== 'string' && !(p instanceof Uint8Array)) throw invalidArgType(`options.ALPNProtocols[${i}]`, ['string', 'Buffer'], p);
    const name = typeof p === 'string' ? p : Buffer.from(p).toString('latin1');
    if (name.length === 0 || name.length > 255) throw invalidArgValue(`options.ALPNProtocols[${i}]`, p, 'must be 1 to 255 bytes');
    return name;
  });
}

/** The engine's answer to SEC_I_INCOMPLETE_CREDENTIALS, from the `clientCertificate` option. */
function certificateChooser(
  choice: ConnectOptions['clientCertificate'],
  base: AcquireCredentialsOptions,
): ((issuers: Buffer[]) => CredentialsHandle | null) | undefined {
  if (choice === undefined) return undefined;
  if (choice !== 'auto' && typeof choice !== 'function') {
    throw invalidArgValue('options.clientCertificate', choice, "must be 'auto' or a function");
  }
  return (issuers) => {
    const picked =
      choice === 'auto'
        ? selectClientCertificateFromStore(issuers)
        : choice(issuers, listCertificates({ store: 'MY' }).filter((c) => c.hasPrivateKey));
    if (!picked) return null;
    trace('client certificate chosen: %s (%s)', picked.thumbprint, picked.subject);
    return cachedCredential({ ...base, certificate: { location: picked.location ?? undefined, store: picked.store ?? undefined, thumbprint: picked.thumbprint } });
  };
}

/**
 * Every TLS option of a client connection checked and turned into what the socket needs, the
 * credential included: the part of connect() that does not depend on where it connects, so that
 * createFetchDispatcher() can refuse bad options when it is made rather than at the first fetch().
 */
export function clientSettings(options: ConnectOptions): {
  base: AcquireCredentialsOptions;
  credential: CredentialsHandle;
  onIncompleteCredentials: ((issuers: Buffer[]) => CredentialsHandle | null) | undefined;
  ALPNProtocols: string[] | undefined;
  ca: Buffer[] | undefined;
  revocation: RevocationMode;
  securityLevel: number | undefined;
} {
  options = withSecureContext(options, 'client');
  if (options.rejectUnauthorized !== undefined) validateBoolean(options.rejectUnauthorized, 'options.rejectUnauthorized');
  if (options.checkServerIdentity !== undefined) validateFunction(options.checkServerIdentity, 'options.checkServerIdentity');
  if (options.timeout !== undefined) validateUint32(options.timeout, 'options.timeout');
  const revocation = options.revocation ?? 'best-effort';
  validateOneOf(revocation, 'options.revocation', revocationModes);
  const securityLevel = requestedSecurityLevel(options);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw invalidArgType('options.signal', 'AbortSignal', options.signal);
  }
  const ALPNProtocols = alpnList(options.ALPNProtocols);
  const ca = tlsCaOption(options.ca);
  const base: AcquireCredentialsOptions = {
    use: 'outbound',
    flags: SchCredFlags.MANUAL_CRED_VALIDATION | SchCredFlags.NO_DEFAULT_CREDS | SchCredFlags.USE_STRONG_CRYPTO,
    // node:tls's defaults (TLSv1.2 to TLSv1.3), not the system's, which may still allow TLS 1.0.
    minVersion: options.minVersion ?? (DEFAULT_MIN_VERSION as TlsVersion),
    maxVersion: options.maxVersion ?? (DEFAULT_MAX_VERSION as TlsVersion),
  };
  const credential = cachedCredential({ ...base, ...credentialIdentity(options) });
  const onIncompleteCredentials = certificateChooser(options.clientCertificate, base);
  return { base, credential, onIncompleteCredentials, ALPNProtocols, ca, revocation, securityLevel };
}

/** tls.connect over Schannel. */
export function connect(options: ConnectOptions, secureConnectListener?: () => void): SchannelSocket;
export function connect(port: number, host?: string, options?: ConnectOptions, secureConnectListener?: () => void): SchannelSocket;
export function connect(port: number, options?: ConnectOptions, secureConnectListener?: () => void): SchannelSocket;
export function connect(...args: unknown[]): SchannelSocket {
  const { options, listener } = normalizeArgs(args);
  validateObject(options, 'options');
  const host = options.host ?? 'localhost';
  validateHostName(host, 'options.host');
  if (options.servername !== undefined) validateHostName(options.servername, 'options.servername');
  if (options.socket === undefined) {
    if (options.port === undefined) throw invalidArgType('options.port', 'number', undefined);
    validateUint32(options.port, 'options.port');
  }
  const servername = options.servername ?? (isIP(host) ? undefined : host);
  const { base, credential, onIncompleteCredentials, ALPNProtocols, ca, revocation, securityLevel } = clientSettings(options);

  // Everything is checked before a TCP socket exists: a socket opened and then abandoned by a
  // throwing check would later emit an error nobody listens to.
  if (options.socket !== undefined && !(options.socket instanceof Duplex)) {
    throw invalidArgType('options.socket', 'stream.Duplex', options.socket);
  }
  const connecting = options.socket === undefined;
  const transport: Duplex = options.socket ??
    netConnect({ host, port: options.port!, family: options.family, localAddress: options.localAddress, localPort: options.localPort, lookup: options.lookup } as any); // half-open: SchannelSocket sets it, whatever options.allowHalfOpen says
  const socket = new SchannelSocket({
    transport,
    credential,
    role: 'client',
    servername: servername ?? null,
    host: options.servername ?? host,
    ALPNProtocols,
    rejectUnauthorized: options.rejectUnauthorized,
    ca,
    revocation,
    securityLevel,
    checkServerIdentity: options.checkServerIdentity,
    onIncompleteCredentials,
    allowHalfOpen: options.allowHalfOpen,
    minVersion: base.minVersion,
    connecting: connecting && (transport as Socket).connecting !== false,
  });
  if (listener) socket.once('secureConnect', listener);
  if (options.timeout !== undefined) socket.setTimeout(options.timeout);
  if (options.signal) {
    const signal = options.signal;
    const abort = () => socket.destroy(Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason }));
    if (signal.aborted) queueMicrotask(abort);
    else {
      signal.addEventListener('abort', abort, { once: true });
      socket.once('close', () => signal.removeEventListener('abort', abort));
    }
  }
  return socket;
}
