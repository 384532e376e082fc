// SchannelSocket: a Duplex that behaves like tls.TLSSocket, carried by any transport Duplex (a
// net.Socket from connect(), or the caller's own `socket`). The TLS work is the sans-I/O engine's;
// this file is plumbing: transport bytes in and out, back-pressure both ways, validation before
// 'secureConnect', half-close, timeouts and Node's error codes.
import { X509Certificate } from 'node:crypto';
import { Duplex } from 'node:stream';
import { Socket } from 'node:net';
import { debuglog } from 'node:util';
import { performance } from 'node:perf_hooks';
import { TlsEngine, type EngineEvent } from '../engine';
import { AlgId, queryContextAttributes, SchannelError, type CredentialsHandle, type TlsAlert } from '../sspi';
import { invalidArgType } from '../sspi/errors';
import { validateFunction, validateObject, validateString, validateUint32 } from '../sspi/validate';
import { peerCertificateObject } from '../certs/x509';
import { verifyCertificateChain, type VerifyOutcome } from '../certs/verify';
import { openSslCipherName, standardCipherName } from './cipher-names';
import { credentialCertificate } from './local-certificate';
import { validateSocketOptions } from './socket-options';

const trace = debuglog('schannel');

export interface SchannelSocketOptions {
  /** The transport carrying the TLS records. */
  transport: Duplex;
  credential: CredentialsHandle;
  role: 'client' | 'server';
  servername?: string | null;
  /** The host name to check the certificate against (defaults to servername). */
  host?: string;
  ALPNProtocols?: readonly string[];
  rejectUnauthorized?: boolean;
  ca?: readonly (string | Buffer)[];
  revocation?: 'strict' | 'best-effort' | 'off';
  /** OpenSSL's security level for the peer's chain (verifyCertificateChain's; its default when absent). */
  securityLevel?: number;
  checkServerIdentity?: (hostname: string, cert: any) => Error | undefined;
  /** Whether the peer's certificate must be validated (client: always; server: with requestCert). */
  validatePeer?: boolean;
  onIncompleteCredentials?: (issuers: Buffer[]) => CredentialsHandle | null | undefined;
  /** ISC_REQ_* / ASC_REQ_* bits for the engine (its defaults otherwise). */
  contextReq?: number;
  /**
   * The lowest protocol to accept. Checked again after the handshake: Wine ignores the protocol
   * restriction of SCH_CREDENTIALS, and a session below the floor must not be used.
   */
  minVersion?: string;
  /** Keep the writable side open after the peer ends (net.Socket's allowHalfOpen). Default false. */
  allowHalfOpen?: boolean;
  /** Set when the transport is still connecting, so 'connect' can be relayed. */
  connecting?: boolean;
}

type Pending = { chunk: Buffer; callback: (error?: Error | null) => void };

/** When each phase ended, in performance.now() milliseconds (null: not reached). */
export interface SocketTimings {
  start: number;
  connect: number | null;
  handshake: number | null;
  /** When the peer's chain went to crypt32: before `handshake` when it was readable mid-handshake. */
  validation: number | null;
  secure: number | null;
}

const protocolOrder = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
/** A protocol's place in age order (-1 for names outside the list: DTLS, unknown). */
function protocolRank(name: string): number {
  return protocolOrder.indexOf(name);
}

/** The TLS alert that tells the peer why its certificate was refused. */
function alertFor(code: string | undefined): keyof typeof TlsAlert {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return 'CERTIFICATE_EXPIRED';
    case 'CERT_REVOKED':
      return 'CERTIFICATE_REVOKED';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return 'UNKNOWN_CA';
    default:
      return 'BAD_CERTIFICATE';
  }
}

/** Chain checks of all sockets running on the thread pool now (see #validateEarly). */
let validationsInFlight = 0;
/** Early validation only while fewer checks than this are running (libuv's default pool has 4 threads). */
const EARLY_VALIDATION_LIMIT = 4;

/** `list` with each element that equals one in `pools` replaced by that one (same bytes, one copy). */
function reuseEqual(list: Buffer[], ...pools: (readonly Buffer[] | undefined)[]): Buffer[] {
  return list.map((der) => {
    for (const pool of pools) {
      const same = pool?.find((candidate) => candidate.length === der.length && candidate.equals(der));
      if (same) return same;
    }
    return der;
  });
}

/** tls.TLSSocket#getEphemeralKeyInfo's object: {} for none (and always on the server side). */
export interface EphemeralKeyInfo {
  type?: 'ECDH' | 'DH';
  name?: string;
  size?: number;
}

/**
 * The ephemeral key of a client's key exchange, from CONNECTION_INFO: aiExch gives the kind and
 * dwExchStrength the key's size in bits, from which the curve is named (CNG counts a curve25519
 * key as 255 bits; OpenSSL, and so Node, as 253). A strength of 0 (Wine never fills it) leaves
 * name and size out.
 */
function ephemeralKeyInfo(exchange: number, strength: number): EphemeralKeyInfo {
  if (exchange === AlgId.ECDH_EPHEM || exchange === AlgId.ECDH) {
    switch (strength) {
      case 255: return { type: 'ECDH', name: 'X25519', size: 253 };
      case 448: return { type: 'ECDH', name: 'X448', size: 448 };
      case 256: return { type: 'ECDH', name: 'prime256v1', size: 256 };
      case 384: return { type: 'ECDH', name: 'secp384r1', size: 384 };
      case 521: return { type: 'ECDH', name: 'secp521r1', size: 521 };
      default: return strength > 0 ? { type: 'ECDH', size: strength } : { type: 'ECDH' };
    }
  }
  if (exchange === AlgId.DH_EPHEM) return strength > 0 ? { type: 'DH', size: strength } : { type: 'DH' };
  return {}; // RSA key transport and the like: no ephemeral key, as in node:tls
}

/** A TLSSocket or tls.Server operation Schannel (or this binding of it) cannot perform. */
export function unsupported(operation: string, why: string): SchannelError {
  return new SchannelError(`${operation} is not supported over Schannel: ${why}`, { code: 'ERR_SCHANNEL_UNSUPPORTED_OPERATION', operation });
}

const TLS_UNIQUE_PREFIX = Buffer.from('tls-unique:');

function disconnectedError(role: 'client' | 'server'): Error {
  const error = new Error(
    role === 'client'
      ? 'Client network socket disconnected before secure TLS connection was established'
      : 'Socket closed before the TLS handshake completed',
  ) as Error & { code: string };
  error.code = 'ECONNRESET';
  return error;
}

export class SchannelSocket extends Duplex {
  readonly encrypted = true;
  authorized = false;
  authorizationError: string | null = null;
  alpnProtocol: string | false | null = null;
  servername: string | false | null;
  readonly timings: SocketTimings = { start: performance.now(), connect: null, handshake: null, validation: null, secure: null };
  readonly #engine: TlsEngine;
  readonly #transport: Duplex;
  readonly #options: SchannelSocketOptions;
  #secure = false;
  #pendingWrites: Pending[] = [];
  #heldPlaintext: Buffer[] = [];
  #transportPaused = false;
  #peerChain: Buffer[] | null = null;
  #protocol: string | null = null;
  #cipher: { name: string; standardName: string; version: string } | null = null;
  #sessionReused = false;
  #endAfterSecure = false;
  #ended = false;
  #heldBytes = 0;
  #verifiedChain: Buffer[] | null = null;
  #hadError = false;
  /** The credential whose certificate this side presents (replaced when a client certificate is chosen late). */
  #localCredential: CredentialsHandle;
  /** LOCAL_CERT_CONTEXT's leaf once asked after the handshake (null: Schannel did not say). */
  #localCertificate: Buffer | null | undefined;
  /** CONNECTION_INFO's aiExch and dwExchStrength. */
  #exchange: { algorithm: number; strength: number } | null = null;
  /** UNIQUE_BINDINGS' payload (the first Finished of the handshake), once asked; null: none. */
  #tlsUnique: Buffer | null | undefined;
  /**
   * A client's validation started as soon as the server's certificate is readable (TLS 1.2: when
   * the client sends its second flight), so crypt32 works while the last round trip is in flight.
   * Null: not tried yet; false: tried and not available.
   */
  #earlyValidation: { chain: Buffer[]; outcome: Promise<VerifyOutcome> } | null | false = null;
  /** The chain check running on the thread pool, if one is. */
  #validationInFlight: Promise<VerifyOutcome> | null = null;

  constructor(options: SchannelSocketOptions) {
    validateSocketOptions(options);
    super({ allowHalfOpen: options.allowHalfOpen === true, decodeStrings: true });
    this.#options = options;
    this.#transport = options.transport;
    // The TLS stream decides when this side ends (after its queued writes, then close_notify), so
    // the transport must not end its own writable side on the peer's FIN: a net.Socket that is not
    // half-open would, and the records still queued here would then fail with EPIPE and be lost.
    (this.#transport as { allowHalfOpen?: boolean }).allowHalfOpen = true;
    this.servername = options.servername ?? (options.role === 'client' ? false : null);
    this.#localCredential = options.credential;
    const chooser = options.onIncompleteCredentials;
    this.#engine = new TlsEngine({
      role: options.role,
      credential: options.credential, // the engine takes its own reference
      targetName: options.servername ?? null,
      alpnProtocols: options.ALPNProtocols,
      onIncompleteCredentials: chooser && ((issuers) => {
        const chosen = chooser(issuers);
        if (chosen) this.#localCredential = chosen; // the certificate getCertificate() then reports
        return chosen;
      }),
      contextReq: options.contextReq,
      mutableInput: true, // the transport's read buffers are fresh and ours alone
    });
    this.#wireTransport();
    if (options.connecting) {
      this.#transport.once('connect', () => {
        this.timings.connect = performance.now();
        this.emit('connect');
        this.#start();
      });
    } else {
      this.timings.connect = this.timings.start;
      queueMicrotask(() => this.#start());
    }
  }

  get connecting(): boolean {
    return !this.#secure && !this.destroyed;
  }

  // --- the TLSSocket surface -------------------------------------------------------------------

  // Once destroyed, the session's getters answer null (undefined for the X509Certificate), as
  // node:tls's do when its handle is gone: code written against node:tls tests for that.

  getProtocol(): string | null {
    return this.destroyed ? null : this.#protocol;
  }

  getCipher(): { name: string; standardName: string; version: string } | undefined | null {
    if (this.destroyed) return null;
    return this.#cipher ?? undefined;
  }

  getPeerCertificate(detailedArgument = false): any {
    if (this.destroyed) return null;
    // node:tls takes only `true` as detailed (its C++ side asks IsTrue()), not any truthy value.
    const detailed = detailedArgument === true;
    if (!this.#peerChain || this.#peerChain.length === 0) return {};
    // Detailed, the issuer chain is the one validation built (up to the trusted root), as in node:tls.
    const chain = detailed && this.#verifiedChain && this.#verifiedChain.length > 0 ? this.#verifiedChain : this.#peerChain;
    return peerCertificateObject(chain, detailed);
  }

  getPeerX509Certificate(): X509Certificate | undefined {
    if (this.destroyed) return undefined;
    return this.#peerChain && this.#peerChain.length > 0 ? new X509Certificate(this.#peerChain[0]) : undefined;
  }

  /**
   * This side's certificate in getPeerCertificate()'s shape (without issuerCertificate, as Node),
   * `{}` when there is none, null once destroyed (node:tls's answers). After the handshake it is the
   * certificate Schannel reports in SECPKG_ATTR_LOCAL_CERT_CONTEXT; where Schannel does not say
   * (Wine; a client the server did not ask for one), the certificate of the credential the socket
   * was given, as node:tls reports the configured certificate.
   */
  getCertificate(): any {
    if (this.destroyed) return null;
    const der = this.#ownCertificate();
    return der ? peerCertificateObject([der], false) : {};
  }

  /** This side's certificate as an X509Certificate, or undefined (none, or destroyed), as node:tls. */
  getX509Certificate(): X509Certificate | undefined {
    if (this.destroyed) return undefined;
    const der = this.#ownCertificate();
    return der ? new X509Certificate(der) : undefined;
  }

  /**
   * The Finished message this side sent, or undefined; null once destroyed. Schannel exposes only
   * the tls-unique channel binding (SECPKG_ATTR_UNIQUE_BINDINGS, RFC 5929): the first Finished of
   * the latest TLS 1.2 handshake. That is this side's when the peer sent the handshake's last
   * flight (a client in a full handshake, a server in a resumed one); otherwise, and for TLS 1.3
   * (where tls-unique is not defined), undefined.
   */
  getFinished(): Buffer | undefined | null {
    if (this.destroyed) return null;
    return this.#engine.lastFlight === 'peer' ? this.#firstFinished() : undefined;
  }

  /** The peer's Finished message, under the same terms as getFinished() (a server in a full handshake). */
  getPeerFinished(): Buffer | undefined | null {
    if (this.destroyed) return null;
    return this.#engine.lastFlight === 'local' ? this.#firstFinished() : undefined;
  }

  /**
   * RFC 5705 keying material: the arguments are checked as node:tls checks them, and before the
   * session is secure it is node:tls's ERR_TLS_INVALID_STATE. Schannel exports keying material only
   * through SECPKG_ATTR_KEYING_MATERIAL after SetContextAttributes(SECPKG_ATTR_KEYING_MATERIAL_INFO)
   * during the handshake (Windows 10 and later), which this binding does not call: a secure socket
   * throws a SchannelError ERR_SCHANNEL_UNSUPPORTED_OPERATION.
   */
  exportKeyingMaterial(length: number, label: string, context?: Buffer | NodeJS.TypedArray | DataView): Buffer {
    validateUint32(length, 'length', { positive: true });
    validateString(label, 'label');
    if (context !== undefined && !ArrayBuffer.isView(context)) throw invalidArgType('context', ['Buffer', 'TypedArray', 'DataView'], context);
    if (!this.#secure || this.destroyed) {
      throw Object.assign(new Error('TLS socket connection must be securely established'), { code: 'ERR_TLS_INVALID_STATE' });
    }
    throw unsupported('exportKeyingMaterial()',
      'Schannel exports keying material only when SECPKG_ATTR_KEYING_MATERIAL_INFO is set during the handshake (SetContextAttributes), which this binding does not do');
  }

  /**
   * node:tls's answer: {} on the server side and without an ephemeral key (RSA key transport);
   * { type: 'ECDH', name, size } or { type: 'DH', size } on a client, from CONNECTION_INFO (see
   * ephemeralKeyInfo: name and size only where Schannel gives the strength). Null once destroyed.
   */
  getEphemeralKeyInfo(): EphemeralKeyInfo | null {
    if (this.destroyed) return null;
    if (this.#options.role === 'server' || !this.#exchange) return {};
    return ephemeralKeyInfo(this.#exchange.algorithm, this.#exchange.strength);
  }

  /** Schannel does not expose the signature algorithms both sides share: always [] (null once destroyed). */
  getSharedSigalgs(): string[] | null {
    return this.destroyed ? null : [];
  }

  /** Schannel keeps session tickets to itself: undefined (null once destroyed). */
  getTLSTicket(): undefined | null {
    return this.destroyed ? null : undefined;
  }

  /**
   * Limits the plaintext of each TLS record this socket sends (node:tls's answers: true for an
   * integer of 512 to 16384, false for another integer, an argument error otherwise). Records are
   * cut at this size from the next write on. False once destroyed.
   */
  setMaxSendFragment(size: number): boolean {
    const applied = this.#engine.setMaxSendFragment(size);
    return applied && !this.destroyed;
  }

  /**
   * From now on a renegotiation (a new handshake on a TLS 1.2 session) started by the peer
   * destroys the socket with ERR_TLS_RENEGOTIATION_DISABLED. node:tls enforces this on the server
   * side only (its client ignores the call); here it holds on both sides.
   */
  disableRenegotiation(): void {
    this.#engine.disableRenegotiation();
  }

  /**
   * node:tls's renegotiate(): the arguments are checked as node:tls checks them; a destroyed socket
   * returns undefined and never calls back. This engine does not start renegotiations (Schannel
   * renegotiates only when the peer asks), so it returns false and calls `callback` on the next
   * tick with a SchannelError ERR_SCHANNEL_UNSUPPORTED_OPERATION, as node:tls does when the
   * renegotiation cannot start (e.g. over TLS 1.3).
   */
  renegotiate(options: { rejectUnauthorized?: boolean; requestCert?: boolean }, callback?: (error: Error | null) => void): boolean | undefined {
    validateObject(options, 'options');
    if (callback !== undefined) validateFunction(callback, 'callback');
    if (this.destroyed) return undefined;
    if (callback) {
      const error = unsupported('renegotiate()', 'this engine does not start a renegotiation (Schannel renegotiates only when the peer asks)');
      process.nextTick(callback, error);
    }
    return false;
  }

  /**
   * Writes this socket's trace to stderr: the engine's lines NODE_DEBUG=schannel prints (handshake
   * steps, post-handshake messages, close_notify, failures); there is no OpenSSL message trace to
   * give. Null once destroyed, as node:tls.
   */
  enableTrace(): undefined | null {
    if (this.destroyed) return null;
    this.#engine.setTraceSink((line) => process.stderr.write(`${line}\n`));
    return undefined;
  }

  /**
   * Sets the SNI name of a client before its handshake starts (as node:tls, the name the certificate
   * is checked against does not change). Later it has no effect, as in node:tls once the ClientHello
   * is out. A server-side socket throws ERR_TLS_SNI_FROM_SERVER.
   */
  setServername(name: string): void {
    validateString(name, 'name');
    if (this.#options.role === 'server') {
      throw Object.assign(new Error('Cannot issue SNI from a TLS server-side socket'), { code: 'ERR_TLS_SNI_FROM_SERVER' });
    }
    if (!this.destroyed && this.#engine.setTargetName(name)) this.servername = name;
  }

  /**
   * node:tls's setSession(): a session node:tls (OpenSSL) saved. Schannel resumes from its own
   * cache (per credential) and cannot import one, so it is ignored after the type check, as
   * node:tls ignores a session it cannot parse.
   */
  setSession(session: string | Buffer | NodeJS.TypedArray | DataView): void {
    if (typeof session !== 'string' && !ArrayBuffer.isView(session)) {
      throw Object.assign(new TypeError('Session must be a buffer'), { code: 'ERR_INVALID_ARG_TYPE' });
    }
  }

  /**
   * node:tls's setKeyCert(): a new certificate for this socket. Schannel binds the certificate to
   * the credential the handshake started with, so a live socket throws a SchannelError
   * ERR_SCHANNEL_UNSUPPORTED_OPERATION; give the certificate to connect()/createServer(), or use
   * server.setSecureContext() for the connections that follow. Nothing happens once destroyed.
   */
  setKeyCert(context: object): void {
    validateObject(context, 'options');
    if (this.destroyed) return;
    throw unsupported('setKeyCert()',
      'Schannel binds the certificate to the credential the handshake starts with; pass it to connect() or createServer(), or use server.setSecureContext()');
  }

  /** Ends the writable side, then destroys once it has finished (net.Socket#destroySoon). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** The peer's certificate chain as DER, leaf first, as the peer sent it. */
  getPeerCertificateChain(): Buffer[] {
    return this.#peerChain ? [...this.#peerChain] : [];
  }

  isSessionReused(): boolean | null {
    return this.destroyed ? null : this.#sessionReused;
  }

  getSession(): undefined | null {
    // Schannel keeps its session cache itself (null once destroyed, as node:tls).
    return this.destroyed ? null : undefined;
  }

  setTimeout(ms: number, callback?: () => void): this {
    const socket = this.#transport as Partial<Socket>;
    if (typeof socket.setTimeout === 'function') socket.setTimeout(ms);
    if (callback) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    return this;
  }

  setNoDelay(noDelay = true): this {
    (this.#transport as Partial<Socket>).setNoDelay?.(noDelay);
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    (this.#transport as Partial<Socket>).setKeepAlive?.(enable, initialDelay);
    return this;
  }

  ref(): this {
    (this.#transport as Partial<Socket>).ref?.();
    return this;
  }

  unref(): this {
    (this.#transport as Partial<Socket>).unref?.();
    return this;
  }

  address(): ReturnType<Socket['address']> | {} {
    return (this.#transport as Partial<Socket>).address?.() ?? {};
  }

  get remoteAddress(): string | undefined {
    return (this.#transport as Partial<Socket>).remoteAddress;
  }
  get remotePort(): number | undefined {
    return (this.#transport as Partial<Socket>).remotePort;
  }
  get remoteFamily(): string | undefined {
    return (this.#transport as Partial<Socket>).remoteFamily;
  }
  get localAddress(): string | undefined {
    return (this.#transport as Partial<Socket>).localAddress;
  }
  get localPort(): number | undefined {
    return (this.#transport as Partial<Socket>).localPort;
  }
  get bytesWritten(): number | undefined {
    return (this.#transport as Partial<Socket>).bytesWritten;
  }
  get bytesRead(): number | undefined {
    return (this.#transport as Partial<Socket>).bytesRead;
  }
  get pending(): boolean {
    return (this.#transport as Partial<Socket>).pending ?? false;
  }
  get readyState(): string {
    return (this.#transport as Partial<Socket>).readyState ?? (this.destroyed ? 'closed' : 'open');
  }

  // --- Duplex ----------------------------------------------------------------------------------

  override _read(): void {
    if (this.#transportPaused) {
      this.#transportPaused = false;
      this.#transport.resume();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.#secure) {
      // Nothing goes to a peer before its certificate has been validated.
      this.#pendingWrites.push({ chunk, callback });
      return;
    }
    this.#send(() => this.#engine.write(chunk), callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    const data = chunks.map((c) => c.chunk);
    if (!this.#secure) {
      this.#pendingWrites.push({ chunk: Buffer.concat(data), callback });
      return;
    }
    // Coalesced: one encryptMessage call makes full-size records from all of them.
    this.#send(() => this.#engine.write(data), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const finish = () => {
      this.#engine.shutdown();
      const out = this.#engine.takeOutgoing();
      if (out.length > 0 && this.#transport.writable) this.#transport.write(out);
      if (this.#transport.writable) this.#transport.end();
      callback();
    };
    if (this.#secure || this.#engine.state === 'failed') finish();
    else this.once('secure', finish);
  }

  // net.Socket's 'close' carries hadError; a Duplex's carries nothing.
  override emit(event: string | symbol, ...args: any[]): boolean {
    if (event === 'close' && args.length === 0) return super.emit('close', this.#hadError);
    return super.emit(event, ...args);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (error) this.#hadError = true;
    for (const pending of this.#pendingWrites) pending.callback(error ?? disconnectedError(this.#options.role));
    this.#pendingWrites = [];
    this.#engine.destroy();
    if (!this.#transport.destroyed) this.#transport.destroy();
    // A chain check still running on the thread pool holds crypt32 handles: 'close' waits for it,
    // so that after 'close' nothing of this socket is left in debugStats().
    const inFlight = this.#validationInFlight;
    if (inFlight) {
      const done = () => callback(error);
      inFlight.then(done, done);
      return;
    }
    callback(error);
  }

  // --- plumbing --------------------------------------------------------------------------------

  /** This side's certificate (DER): LOCAL_CERT_CONTEXT after the handshake, else the credential's. */
  #ownCertificate(): Buffer | null {
    if (this.#localCertificate === undefined && this.#handshakeFinished() && this.#engine.context) {
      try {
        this.#localCertificate = queryContextAttributes(this.#engine.context, 'LOCAL_CERT_CONTEXT')[0] ?? null;
      } catch (error) {
        trace('LOCAL_CERT_CONTEXT: %s', (error as Error).message); // SEC_E_UNSUPPORTED_FUNCTION under Wine
        this.#localCertificate = null;
      }
    }
    return this.#localCertificate ?? credentialCertificate(this.#localCredential);
  }

  /** tls-unique's payload: the first Finished of the latest TLS 1.2 (or older) handshake. */
  #firstFinished(): Buffer | undefined {
    const rank = this.#protocol ? protocolRank(this.#protocol) : -1;
    if (rank < 0 || rank >= protocolRank('TLSv1.3') || !this.#handshakeFinished() || !this.#engine.context) return undefined;
    if (this.#tlsUnique === undefined) {
      try {
        const data = queryContextAttributes(this.#engine.context, 'UNIQUE_BINDINGS').applicationData;
        const prefixed = data.length > TLS_UNIQUE_PREFIX.length && data.subarray(0, TLS_UNIQUE_PREFIX.length).equals(TLS_UNIQUE_PREFIX);
        this.#tlsUnique = prefixed ? Buffer.from(data.subarray(TLS_UNIQUE_PREFIX.length)) : null;
      } catch (error) {
        trace('UNIQUE_BINDINGS: %s', (error as Error).message);
        this.#tlsUnique = null;
      }
    }
    return this.#tlsUnique ? Buffer.from(this.#tlsUnique) : undefined;
  }

  #wireTransport(): void {
    const transport = this.#transport;
    transport.on('data', (data: Buffer) => {
      this.#engine.feed(data);
      this.#drain(true);
    });
    transport.on('end', () => {
      if (!this.#secure && this.#handshakeFinished()) {
        this.#endAfterSecure = true; // the handshake is done; validation is still running
        return;
      }
      if (!this.#secure && !this.destroyed) {
        this.destroy(disconnectedError(this.#options.role));
        return;
      }
      // A TCP FIN without close_notify still ends the stream, as node:tls does.
      this.#pushEnd();
    });
    transport.on('error', (error: Error) => this.destroy(error));
    transport.on('close', () => {
      if (this.destroyed) return;
      if (!this.#secure) {
        // After the handshake, the data and the end wait for validation; before it, it failed.
        if (this.#handshakeFinished()) this.#endAfterSecure = true;
        else this.destroy(disconnectedError(this.#options.role));
        return;
      }
      // The readable side ends; the stream then finishes and closes itself (autoDestroy).
      this.#pushEnd();
    });
    transport.on('timeout', () => this.emit('timeout'));
  }

  #handshakeFinished(): boolean {
    return this.#engine.state === 'open' || this.#engine.state === 'closed';
  }

  #start(): void {
    if (this.destroyed) return;
    this.#engine.start();
    this.#drain();
  }

  /**
   * Moves everything the engine produced: ciphertext out, plaintext up, events handled.
   * `answered`: the engine was just fed the peer's bytes (its output, if any, answers them).
   */
  #drain(answered = false): void {
    const out = this.#engine.takeOutgoing();
    if (out.length > 0 && this.#transport.writable) this.#transport.write(out);
    if (answered && out.length > 0 && this.#earlyValidation === null && this.#engine.state === 'handshaking') this.#validateEarly();
    // Plaintext first: data that arrived before a close_notify or an error is still delivered.
    const plaintext = this.#engine.takePlaintext();
    if (plaintext.length > 0) {
      if (!this.#secure) {
        // Held until the peer's certificate is validated; past a bound, stop reading meanwhile.
        this.#heldPlaintext.push(...plaintext);
        for (const chunk of plaintext) this.#heldBytes += chunk.length;
        if (this.#heldBytes >= this.readableHighWaterMark && !this.#transportPaused) {
          this.#transportPaused = true;
          this.#transport.pause();
        }
      } else {
        this.#pushPlaintext(plaintext);
      }
    }
    for (const event of this.#engine.takeEvents()) this.#onEvent(event);
  }

  /** End of the readable side, once, whichever of close_notify and TCP FIN comes first. */
  #pushEnd(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.push(null);
    // As net.Socket does at EOF: with nothing buffered, 'end' (and so 'close') comes even when
    // nobody reads, e.g. a client that only handshakes and end()s.
    this.read(0);
  }

  #pushPlaintext(chunks: Buffer[]): void {
    let more = true;
    for (const chunk of chunks) more = this.push(chunk);
    if (!more && !this.#transportPaused) {
      this.#transportPaused = true;
      this.#transport.pause();
    }
  }

  #onEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'handshake':
        void this.#handshakeDone();
        break;
      case 'peer-closed':
        if (this.#secure) this.#pushEnd();
        else this.#endAfterSecure = true;
        break;
      case 'incomplete-credentials':
        trace('server asked for a client certificate (%d issuers)', event.issuers.length);
        break;
      case 'renegotiated':
        // A new handshake: its Finished messages and this side's certificate are read anew.
        this.#tlsUnique = undefined;
        this.#localCertificate = undefined;
        break;
      case 'error':
        this.destroy(event.error);
        break;
      default:
        break;
    }
  }

  async #handshakeDone(): Promise<void> {
    this.timings.handshake = performance.now();
    this.#readSessionFacts();
    const floor = this.#options.minVersion;
    if (floor && this.#protocol && protocolRank(this.#protocol) < protocolRank(floor)) {
      const error = new SchannelError(`The peer negotiated ${this.#protocol}, below the minimum ${floor}`, {
        code: 'ERR_SSL_UNSUPPORTED_PROTOCOL',
        protocol: this.#protocol,
      });
      try {
        this.#refuse('PROTOCOL_VERSION', error);
      } catch {
        this.destroy(error);
      }
      return;
    }
    const options = this.#options;
    if (options.validatePeer !== false) {
      try {
        await this.#validate();
      } catch (error) {
        this.destroy(error as Error);
        return;
      }
      if (this.destroyed) return;
    }
    trace('%s secure: %s %s alpn=%s authorized=%s', options.role, this.#protocol, this.#cipher?.name, this.alpnProtocol, this.authorized);
    this.#secure = true;
    this.timings.secure = performance.now();
    this.emit('secure');
    if (options.role === 'client') this.emit('secureConnect');
    const held = this.#heldPlaintext;
    this.#heldPlaintext = [];
    this.#heldBytes = 0;
    if (held.length > 0) this.#pushPlaintext(held);
    if (this.#endAfterSecure) this.#pushEnd();
    else if (this.#transportPaused && this.readableLength < this.readableHighWaterMark) this._read();
    const pending = this.#pendingWrites;
    this.#pendingWrites = [];
    for (const { chunk, callback } of pending) this.#send(() => this.#engine.write(chunk), callback);
  }

  #readSessionFacts(): void {
    const context = this.#engine.context!;
    const attempt = <T>(read: () => T): T | null => {
      try {
        return read();
      } catch {
        return null;
      }
    };
    this.#peerChain = attempt(() => queryContextAttributes(context, 'REMOTE_CERT_CONTEXT'));
    const connection = attempt(() => queryContextAttributes(context, 'CONNECTION_INFO'));
    this.#exchange = connection ? { algorithm: connection.exchange, strength: connection.exchangeStrength } : null;
    const cipher = attempt(() => queryContextAttributes(context, 'CIPHER_INFO'));
    this.#protocol = connection?.protocolName ?? cipher?.protocolName ?? null;
    const standardName = standardCipherName(cipher, this.#engine.cipherSuite);
    if (standardName) this.#cipher = { name: openSslCipherName(standardName), standardName, version: this.#protocol ?? '' };
    const alpn = attempt(() => queryContextAttributes(context, 'APPLICATION_PROTOCOL'));
    this.alpnProtocol = alpn?.protocol ?? false;
    this.#sessionReused = attempt(() => queryContextAttributes(context, 'SESSION_INFO'))?.reconnect ?? false;
  }

  /**
   * The client's chain check, started with the chain the context reports mid-handshake where it
   * reports one (Wine does once the server's flight is in; Windows may not: then validation starts
   * after the handshake, as before). Only tried once, on the flight that answers the server's.
   */
  #validateEarly(): void {
    const options = this.#options;
    // Only while few checks are running: with many handshakes at once, checks started early
    // overlap the other connections' handshakes, and under Wine on two cores that held the event
    // loop up (figure 4: p50 from 1.1 ms to 20-80 ms with 100 handshakes in flight, unbounded). A
    // few connections at a time gain the overlap; a burst validates after each handshake, as before.
    if (options.role !== 'client' || options.validatePeer === false || this.#engine.context === null || validationsInFlight >= EARLY_VALIDATION_LIMIT) {
      this.#earlyValidation = false;
      return;
    }
    let chain: Buffer[] | null = null;
    try {
      chain = queryContextAttributes(this.#engine.context, 'REMOTE_CERT_CONTEXT');
    } catch {
      // Not readable before the handshake completes on this system.
    }
    if (!chain || chain.length === 0) {
      this.#earlyValidation = false;
      return;
    }
    // Awaited, and its error thrown, once the handshake is done (#verifyPeer's own handler keeps a
    // rejection from going unhandled meanwhile).
    this.#earlyValidation = { chain, outcome: this.#verifyPeer(chain) };
  }

  /** The name the peer's certificate is checked against (a client's), or undefined. */
  #peerHost(): string | undefined {
    return this.#options.host ?? (typeof this.servername === 'string' ? this.servername : undefined);
  }

  #verifyPeer(chain: Buffer[]): Promise<VerifyOutcome> {
    const options = this.#options;
    this.timings.validation ??= performance.now();
    const host = this.#peerHost();
    const outcome = verifyCertificateChain({
      chain,
      host: options.checkServerIdentity || options.role === 'server' ? undefined : host,
      role: options.role === 'client' ? 'server' : 'client',
      ca: options.ca,
      revocation: options.revocation ?? 'best-effort',
      securityLevel: options.securityLevel,
    });
    this.#validationInFlight = outcome;
    validationsInFlight++;
    const settled = () => {
      validationsInFlight--;
      if (this.#validationInFlight === outcome) this.#validationInFlight = null;
    };
    outcome.then(settled, settled);
    return outcome;
  }

  async #validate(): Promise<void> {
    const options = this.#options;
    const chain = this.#peerChain ?? [];
    if (chain.length === 0) {
      // Only a server asks for a certificate that may not come; node:tls reports it this way.
      this.authorized = false;
      this.authorizationError = 'UNABLE_TO_GET_ISSUER_CERT';
      if (options.rejectUnauthorized !== false) {
        const error = new SchannelError('peer did not return a certificate', { code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE' });
        this.#refuse('HANDSHAKE_FAILURE', error);
      }
      return;
    }
    const host = this.#peerHost();
    const custom = options.checkServerIdentity;
    // The early check counts only if it saw the very chain the finished handshake reports.
    const early = this.#earlyValidation;
    const sameChain = early && early.chain.length === chain.length && early.chain.every((der, i) => der.equals(chain[i]));
    if (early) this.#earlyValidation = false; // its chain and outcome are not kept with the connection
    const outcome = await (sameChain ? early.outcome : this.#verifyPeer(chain));
    // The validated chain mostly repeats what the socket holds already (the peer's certificates,
    // the `ca` roots): those elements are kept once.
    this.#verifiedChain = reuseEqual(outcome.chain, chain, options.ca?.filter((root): root is Buffer => Buffer.isBuffer(root)));
    let error: (Error & { code?: string }) | null = outcome.error;
    if (!error && custom && host !== undefined) {
      error = custom(host, this.getPeerCertificate(true)) ?? null;
    }
    this.authorized = error === null;
    this.authorizationError = error ? (error.code ?? error.message) : null;
    if (error && options.rejectUnauthorized !== false) this.#refuse(alertFor(error.code), error);
  }

  /** Tells the peer why (a fatal alert), then fails with the error. */
  #refuse(alert: keyof typeof TlsAlert, error: Error): never {
    this.#engine.alert(alert, error);
    const out = this.#engine.takeOutgoing();
    if (out.length > 0 && this.#transport.writable) this.#transport.write(out);
    this.#engine.takeEvents(); // the failure is thrown to the caller instead
    throw error;
  }

  #send(produce: () => void, callback: (error?: Error | null) => void): void {
    try {
      produce();
    } catch (error) {
      callback(error as Error);
      return;
    }
    const failed = this.#engine.error;
    if (failed) {
      callback(failed);
      return;
    }
    const pieces = this.#engine.takeOutgoingBuffers();
    if (pieces.length === 0) {
      callback();
      return;
    }
    // A large write comes as several pieces (one per record slab): written corked, they leave in
    // one writev. The callback runs when the transport has taken the last: back-pressure passes
    // through.
    const transport = this.#transport;
    // A net.Socket is done with a buffer when it calls the write's callback, so the record slab can
    // be written again. Another Duplex may still hold the chunk (a PassThrough queues it), so its
    // pieces are left to the garbage collector.
    const engine = this.#engine;
    const recycle = transport instanceof Socket;
    if (pieces.length > 1) transport.cork();
    for (let i = 0; i < pieces.length - 1; i++) transport.write(pieces[i]);
    transport.write(pieces[pieces.length - 1], (error?: Error | null) => {
      if (recycle && !error) engine.recycleOutgoing(pieces);
      callback(error ?? null);
    });
    if (pieces.length > 1) transport.uncork();
  }
}
