// createServer(): tls.createServer with Schannel underneath. A net.Server whose connections become
// SchannelSockets in the server role; 'secureConnection' after the handshake (and, with
// requestCert, after the client's chain is validated), 'tlsClientError' for a client that fails,
// and a bad client never takes the server down.
import { Server as NetServer, type Socket } from 'node:net';
import { DEFAULT_MAX_VERSION, DEFAULT_MIN_VERSION } from 'node:tls';
import type { StoreOptions } from '../certstore';
import { AscReq, CredentialsHandle, SchCredFlags, type TlsVersion } from '../sspi';
import { invalidArgType, invalidArgValue } from '../sspi/errors';
import { validateArray, validateBoolean, validateObject, validateOneOf, validateString, validateUint32 } from '../sspi/validate';
import { requestedSecurityLevel } from '../certs/strength';
import { caCertificates } from '../certs/verify';
import { cachedCredential } from './credential-cache';
import { identityFromPem } from './pem-identity';
import { DEFAULT_SERVER_REQ } from '../engine';
import { SchannelSocket } from './socket';

export interface ServerOptions {
  /** The server certificate and key as PKCS#12... */
  pfx?: Buffer | Uint8Array;
  /** ...or as PEM (the certificate first, then its chain), as node:tls takes them. */
  key?: string | Buffer | readonly (string | Buffer)[];
  cert?: string | Buffer | readonly (string | Buffer)[];
  /** The passphrase of `pfx`, or of an encrypted `key`. */
  passphrase?: string;
  /** The server certificate from a Windows store, with its private key (which may be non-exportable). */
  certificate?: StoreOptions & { thumbprint?: string | Uint8Array; subject?: string };
  /** A ready credential. */
  credential?: CredentialsHandle;
  /** Protocols in the server's order of preference. */
  ALPNProtocols?: readonly string[];
  /** Ask clients for a certificate. */
  requestCert?: boolean;
  /** With requestCert: refuse clients whose certificate does not validate (default true). */
  rejectUnauthorized?: boolean;
  /** Roots for client certificates (PEM or DER); they replace the system roots. */
  ca?: string | Buffer | readonly (string | Buffer)[];
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  /** Milliseconds a client has to finish the handshake (default 120000, as node:tls). */
  handshakeTimeout?: number;
  revocation?: 'strict' | 'best-effort' | 'off';
  /** With requestCert: OpenSSL's security level (0 to 5) for client keys and signatures, as for connect(). */
  securityLevel?: number;
  /** node:tls's cipher string: only its `@SECLEVEL=N` is used (as securityLevel); Schannel's suites
   *  are the system's policy. */
  ciphers?: string;
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
}

function handshakeTimeoutError(): Error {
  return Object.assign(new Error('TLS handshake timeout'), { code: 'ERR_TLS_HANDSHAKE_TIMEOUT' });
}

/** The net.Server options, once `options` is known to be an object. */
function netServerOptions(options: ServerOptions): { allowHalfOpen?: boolean; pauseOnConnect?: boolean } {
  validateObject(options, 'options');
  return { allowHalfOpen: options.allowHalfOpen as boolean | undefined, pauseOnConnect: options.pauseOnConnect as boolean | undefined };
}

export class SchannelServer extends NetServer {
  readonly #options: ServerOptions;
  #credential!: CredentialsHandle; // set by #useCredential() in the constructor
  #securityLevel: number | undefined;
  /** `ca` as DER certificates, parsed once. */
  #ca: Buffer[] | undefined;
  /** Set when #credential is this server's own share of a caller's credential, released on close. */
  #ownsCredential = false;

  constructor(options: ServerOptions = {}, secureConnectionListener?: (socket: SchannelSocket) => void) {
    super(netServerOptions(options));
    if (options.requestCert !== undefined) validateBoolean(options.requestCert, 'options.requestCert');
    if (options.rejectUnauthorized !== undefined) validateBoolean(options.rejectUnauthorized, 'options.rejectUnauthorized');
    if (options.handshakeTimeout !== undefined) validateUint32(options.handshakeTimeout, 'options.handshakeTimeout');
    if (options.ALPNProtocols !== undefined) {
      validateArray(options.ALPNProtocols, 'options.ALPNProtocols');
      options.ALPNProtocols.forEach((p, i) => {
        validateString(p, `options.ALPNProtocols[${i}]`);
        if (p.length === 0 || p.length > 255) throw invalidArgValue(`options.ALPNProtocols[${i}]`, p, 'must be 1 to 255 bytes');
      });
    }
    if (options.revocation !== undefined) validateOneOf(options.revocation, 'options.revocation', ['strict', 'best-effort', 'off'] as const);
    this.#securityLevel = requestedSecurityLevel(options);
    if (options.ca !== undefined) {
      (Array.isArray(options.ca) ? options.ca : [options.ca]).forEach((c, i) => {
        if (typeof c !== 'string' && !Buffer.isBuffer(c)) throw invalidArgType(`options.ca[${i}]`, ['string', 'Buffer'], c);
      });
      this.#ca = caCertificates(options.ca, 'options.ca');
    }
    this.#options = options;
    this.#useCredential(options);
    if (secureConnectionListener) this.on('secureConnection', secureConnectionListener);
    this.on('connection', (socket: Socket) => this.#accept(socket));
    this.on('close', () => this.#releaseCredential());
  }

  #useCredential(options: ServerOptions): void {
    const next = this.#acquire(options);
    this.#releaseCredential();
    this.#credential = next;
    this.#ownsCredential = options.credential !== undefined;
  }

  #releaseCredential(): void {
    if (this.#ownsCredential) this.#credential.dispose();
    this.#ownsCredential = false;
  }

  #acquire(options: ServerOptions): CredentialsHandle {
    if (options.credential === undefined && !options.pfx && !options.certificate && options.key === undefined && options.cert === undefined) {
      throw invalidArgType('options.pfx', ['Buffer', 'Uint8Array'], options.pfx);
    }
    if (options.credential !== undefined) {
      if (!(options.credential instanceof CredentialsHandle)) throw invalidArgType('options.credential', 'CredentialsHandle', options.credential);
      // A share of its own: the caller may dispose theirs. A disposed one is SEC_E_INVALID_HANDLE now,
      // not on every connection later.
      return options.credential.share();
    }
    const fromPem = identityFromPem(options);
    return cachedCredential({
      use: 'inbound',
      flags: SchCredFlags.USE_STRONG_CRYPTO,
      minVersion: options.minVersion ?? (DEFAULT_MIN_VERSION as TlsVersion),
      maxVersion: options.maxVersion ?? (DEFAULT_MAX_VERSION as TlsVersion),
      ...(fromPem ? { pfx: fromPem, passphrase: '' } : options.certificate ? { certificate: options.certificate } : { pfx: options.pfx, passphrase: options.passphrase }),
    });
  }

  /** Replaces the certificate for new connections (tls.Server#setSecureContext's role). */
  setSecureContext(options: Pick<ServerOptions, 'pfx' | 'key' | 'cert' | 'passphrase' | 'certificate' | 'credential' | 'minVersion' | 'maxVersion'>): void {
    validateObject(options, 'options');
    // The new identity replaces the old one whole (a credential or key given before must not win
    // over a pfx given now); only the protocol range carries over when not given again.
    const { minVersion, maxVersion } = this.#options;
    this.#useCredential({ minVersion, maxVersion, ...options });
  }

  #accept(transport: Socket): void {
    const options = this.#options;
    const socket = new SchannelSocket({
      transport,
      credential: this.#credential,
      role: 'server',
      ALPNProtocols: options.ALPNProtocols,
      contextReq: options.requestCert ? DEFAULT_SERVER_REQ | AscReq.MUTUAL_AUTH : DEFAULT_SERVER_REQ,
      validatePeer: options.requestCert === true,
      rejectUnauthorized: options.rejectUnauthorized,
      ca: this.#ca,
      revocation: options.revocation,
      securityLevel: this.#securityLevel,
      allowHalfOpen: options.allowHalfOpen,
      minVersion: options.minVersion ?? (DEFAULT_MIN_VERSION as TlsVersion),
    });
    const timeout = options.handshakeTimeout ?? 120_000;
    const timer = timeout > 0 ? setTimeout(() => socket.destroy(handshakeTimeoutError()), timeout) : null;
    timer?.unref();
    let secured = false;
    const onError = (error: Error) => {
      if (timer) clearTimeout(timer);
      if (!secured) this.emit('tlsClientError', error, socket);
    };
    socket.on('error', onError);
    socket.once('secure', () => {
      secured = true;
      if (timer) clearTimeout(timer);
      socket.removeListener('error', onError);
      this.emit('secureConnection', socket);
    });
  }
}

/** tls.createServer over Schannel. */
export function createServer(options?: ServerOptions, secureConnectionListener?: (socket: SchannelSocket) => void): SchannelServer;
export function createServer(secureConnectionListener?: (socket: SchannelSocket) => void): SchannelServer;
export function createServer(
  options?: ServerOptions | ((socket: SchannelSocket) => void),
  secureConnectionListener?: (socket: SchannelSocket) => void,
): SchannelServer {
  if (typeof options === 'function') return new SchannelServer({}, options);
  return new SchannelServer(options ?? {}, secureConnectionListener);
}
