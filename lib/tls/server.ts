// createServer(): tls.createServer with Schannel underneath. A net.Server whose connections become
// SchannelSockets in the server role; 'secureConnection' after the handshake (and, with
// requestCert, after the client's chain is validated), 'tlsClientError' for a client that fails,
// and a bad client never takes the server down. With SNICallback or addContext(), the ClientHello
// is read first (client-hello.ts) to choose the certificate before Schannel sees it.
import { Server as NetServer, type Socket } from 'node:net';
import { DEFAULT_MIN_VERSION } from 'node:tls';
import { AscReq, type CredentialsHandle, type TlsVersion } from '../sspi';
import { invalidArgType, invalidArgValue, invalidArgValueRange } from '../sspi/errors';
import { validateArray, validateBoolean, validateBufferLike, validateFunction, validateObject, validateOneOf, validateString, validateUint32 } from '../sspi/validate';
import { requestedSecurityLevel } from '../certs/strength';
import { revocationModes, tlsCaOption } from '../certs/verify';
import { DEFAULT_SERVER_REQ } from '../engine';
import { ClientHelloCollector } from './client-hello';
import {
  acquireServerCredential,
  serverSecureContext,
  isNodeSecureContext,
  isSecureContext,
  serverCredentialOf,
  withSecureContext,
  type SchannelSecureContext,
  type ServerIdentityOptions,
} from './secure-context';
import { SchannelSocket, unsupported } from './socket';

/** What SNICallback hands back: a context, identity options, or nothing for the default certificate. */
export type SNIContext = SchannelSecureContext | ServerIdentityOptions | null | undefined;

export interface ServerOptions extends ServerIdentityOptions {
  /** A createSecureContext() result: its certificate, `ca` and protocol range replace these options' own (as node:tls). */
  secureContext?: SchannelSecureContext;
  /**
   * Chooses the certificate for the host name a client asks for (SNI), as node:tls's: call back with
   * a context from createSecureContext(), identity options, or null for the default certificate; an
   * error fails the connection ('tlsClientError'). Not called when the client sends no name.
   * Without it, the contexts of addContext() are consulted.
   */
  SNICallback?: (servername: string, callback: (error: Error | null, context?: SNIContext) => void) => void;
  /** Protocols in the server's order of preference. */
  ALPNProtocols?: readonly string[];
  /** Ask clients for a certificate. */
  requestCert?: boolean;
  /** With requestCert: refuse clients whose certificate does not validate (default true). */
  rejectUnauthorized?: boolean;
  /** Roots for client certificates (PEM or DER); they replace the system roots. */
  ca?: string | Buffer | readonly (string | Buffer)[];
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

/** The error a server-side SchannelSocket gives for a client that leaves during the handshake. */
function disconnectedError(): Error {
  return Object.assign(new Error('Socket closed before the TLS handshake completed'), { code: 'ECONNRESET' });
}

/** Node's error for an SNICallback that calls back twice. */
function multipleCallbackError(): Error {
  return Object.assign(new Error('Callback called multiple times'), { code: 'ERR_MULTIPLE_CALLBACK' });
}

/**
 * server.addContext's pattern, as node:tls makes it: `*` stands for any run of characters
 * within one label ('*.example.test' matches 'a.example.test', not 'a.b.example.test'). Host names
 * are compared whatever their case, since DNS names are case-insensitive (node:tls compares them
 * case-sensitively, so a client that capitalizes gets the default certificate there). The name
 * SNICallback and the socket's `servername` get is the client's, in its case, as in node:tls.
 */
function hostPattern(hostname: string): RegExp {
  const escaped = hostname.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replaceAll('*', '[^.]*');
  return new RegExp(`^${escaped}$`, 'i');
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
  /** Whether #credential is still this server's to release (until close). */
  #ownsCredential = false;
  readonly #sniCallback: ServerOptions['SNICallback'];
  /** addContext()'s entries, in the order they were added (the last match wins). */
  readonly #contexts: [RegExp, SchannelSecureContext][] = [];

  constructor(givenOptions: ServerOptions = {}, secureConnectionListener?: (socket: SchannelSocket) => void) {
    super(netServerOptions(givenOptions));
    const options = withSecureContext(givenOptions, 'server');
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
    // As node:tls: only a truthy SNICallback is checked (and used).
    if (options.SNICallback) validateFunction(options.SNICallback, 'options.SNICallback');
    this.#sniCallback = options.SNICallback || undefined;
    if (options.revocation !== undefined) validateOneOf(options.revocation, 'options.revocation', revocationModes);
    this.#securityLevel = requestedSecurityLevel(options);
    this.#ca = tlsCaOption(options.ca);
    this.#options = options;
    this.#useCredential(options);
    if (secureConnectionListener) this.on('secureConnection', secureConnectionListener);
    this.on('connection', (socket: Socket) => this.#accept(socket));
    this.on('close', () => this.#releaseCredential());
  }

  #useCredential(options: ServerIdentityOptions): void {
    const { credential, owned } = acquireServerCredential(options);
    this.#releaseCredential();
    // Always a reference of the server's own: a cached credential could otherwise be evicted from
    // the 64-entry cache, and disposed, while the server still hands it to new connections.
    this.#credential = owned ? credential : credential.share();
    this.#ownsCredential = true;
  }

  #releaseCredential(): void {
    if (this.#ownsCredential) this.#credential.dispose();
    this.#ownsCredential = false;
  }

  /** Replaces the certificate for new connections (tls.Server#setSecureContext's role). */
  setSecureContext(options: ServerIdentityOptions): void {
    validateObject(options, 'options');
    // The new identity replaces the old one whole (a credential or key given before must not win
    // over a pfx given now); only the protocol range carries over when not given again.
    const { minVersion, maxVersion } = this.#options;
    this.#useCredential({ minVersion, maxVersion, ...options });
  }

  /**
   * tls.Server#getTicketKeys: Schannel makes and rotates its session-ticket keys itself and does not
   * hand them out, so this is ERR_SCHANNEL_UNSUPPORTED_OPERATION rather than keys that would not be
   * the ones in use.
   */
  getTicketKeys(): Buffer {
    throw unsupported('getTicketKeys', 'Schannel makes and rotates its session-ticket keys itself and does not hand them out');
  }

  /** tls.Server#setTicketKeys: the argument is checked as node:tls checks it (48 bytes), then refused likewise. */
  setTicketKeys(keys: Buffer): void {
    const bytes = validateBufferLike(keys, 'keys');
    if (bytes.length !== 48) throw invalidArgValueRange('keys', keys, 'must be 48 bytes (session ticket keys)');
    throw unsupported('setTicketKeys', 'Schannel makes and rotates its session-ticket keys itself; they cannot be set through SSPI here');
  }

  /**
   * Adds a certificate for a host name or a wildcard ('*.example.test'), chosen for clients that
   * ask for a matching name (SNI) when there is no SNICallback; the last added match wins.
   * `context`: a createSecureContext() result, or the identity options it takes.
   */
  addContext(hostname: string, context: SchannelSecureContext | ServerIdentityOptions): void {
    validateString(hostname, 'hostname');
    if (hostname.length === 0) {
      throw Object.assign(new Error('"servername" is required parameter for Server.addContext'), { code: 'ERR_TLS_REQUIRED_SERVER_NAME' });
    }
    if (/[^\x21-\x7e]/.test(hostname)) {
      throw invalidArgValue('hostname', hostname, 'must be an ASCII host name or wildcard (an IDN in its xn-- form)');
    }
    if (isSecureContext(context)) serverCredentialOf(context, 'context'); // it must be able to serve
    const secureContext = isSecureContext(context) ? context : serverSecureContext(this.#identity(context, 'context'));
    this.#contexts.push([hostPattern(hostname), secureContext]);
  }

  /** Identity options given to addContext() or SNICallback: the server's protocol range unless they name their own. */
  #identity(value: unknown, name: string): ServerIdentityOptions {
    validateObject(value, name);
    if (isNodeSecureContext(value)) throw invalidArgType(name, ['SchannelSecureContext', 'Object'], value);
    const { minVersion, maxVersion } = this.#options;
    return { minVersion, maxVersion, ...(value as ServerIdentityOptions) };
  }

  /** node:tls's default SNICallback: the last addContext() entry that matches, else the default certificate. */
  #fromContexts(servername: string, callback: (error: Error | null, context?: SNIContext) => void): void {
    for (let i = this.#contexts.length - 1; i >= 0; i--) {
      const [pattern, context] = this.#contexts[i];
      if (pattern.test(servername)) return callback(null, context);
    }
    callback(null, undefined);
  }

  /** The credential for what SNICallback chose; `owned`: a share to dispose once the socket has its own. */
  #credentialFor(context: unknown): { credential: CredentialsHandle; owned: boolean } {
    if (context === null || context === undefined) return { credential: this.#credential, owned: false };
    if (isSecureContext(context)) return { credential: serverCredentialOf(context, 'context'), owned: false };
    return acquireServerCredential(this.#identity(context, 'context'));
  }

  #accept(transport: Socket): void {
    if (this.#sniCallback === undefined && this.#contexts.length === 0) {
      const socket = this.#secure(transport, this.#credential, this.#options.handshakeTimeout ?? 120_000);
      watchServername(transport, socket);
      return;
    }
    this.#acceptWithSni(transport);
  }

  /**
   * SNI: AcceptSecurityContext takes its credential at the first call, so the ClientHello is read
   * first, the certificate chosen for the name in it, and the bytes put back for Schannel. The
   * handshake timeout covers the wait for the hello and for SNICallback too.
   */
  #acceptWithSni(transport: Socket): void {
    const timeout = this.#options.handshakeTimeout ?? 120_000;
    const started = performance.now();
    const hello = new ClientHelloCollector();
    let done = false; // the connection has its SchannelSocket (or has failed)
    let socket: SchannelSocket | null = null;
    const timer = timeout > 0 ? setTimeout(() => fail(handshakeTimeoutError()), timeout) : null;
    timer?.unref();
    const onClose = () => fail(disconnectedError());
    const stop = () => {
      done = true;
      if (timer) clearTimeout(timer);
      transport.removeListener('data', onData);
      transport.removeListener('error', fail);
      transport.removeListener('end', onClose);
      transport.removeListener('close', onClose);
    };
    // A failure before the certificate is chosen: a socket with the default one, destroyed with
    // the error, so 'tlsClientError' comes with a SchannelSocket as always.
    const fail = (error: unknown): void => {
      if (done) return;
      stop();
      try {
        socket = this.#secure(transport, this.#credential, 0);
      } catch {
        // The default credential itself is unusable: no socket to report with, only the transport.
        transport.destroy();
        this.emit('tlsClientError', error, transport);
        return;
      }
      socket.destroy(error as Error);
    };
    const proceed = (data: Buffer, credential: CredentialsHandle, servername: string | null) => {
      const left = timeout > 0 ? Math.max(1, timeout - (performance.now() - started)) : 0;
      let made: SchannelSocket;
      try {
        made = this.#secure(transport, credential, left); // wired to the transport, which stays paused
      } catch (error) {
        return fail(error); // a disposed credential in the chosen context, say
      }
      stop();
      socket = made;
      made.servername = servername ?? false; // node:tls: the name the client sent, or false
      transport.unshift(data);
      transport.resume();
    };
    const choose = (data: Buffer, servername: string | null) => {
      if (servername === null) return proceed(data, this.#credential, null);
      const sniCallback = this.#sniCallback ?? ((name: string, callback: (error: Error | null, context?: SNIContext) => void) => this.#fromContexts(name, callback));
      let calls = 0;
      const callback = (error: Error | null, context?: SNIContext) => {
        if (++calls > 1) {
          if (socket && !socket.destroyed) socket.destroy(multipleCallbackError());
          else fail(multipleCallbackError());
          return;
        }
        if (done) return; // timed out, or the client left meanwhile
        if (error) return fail(error);
        let chosen: { credential: CredentialsHandle; owned: boolean };
        try {
          chosen = this.#credentialFor(context);
        } catch (failure) {
          return fail(failure);
        }
        try {
          proceed(data, chosen.credential, servername);
        } finally {
          if (chosen.owned) chosen.credential.dispose(); // the socket's engine holds its own reference
        }
      };
      try {
        sniCallback(servername, callback);
      } catch (error) {
        // node:tls would take the process down; here only this connection fails.
        if (!done) fail(error);
        else if (socket && !socket.destroyed) socket.destroy(error as Error);
      }
    };
    const onData = (chunk: Buffer): void => {
      const decided = hello.add(chunk);
      if (decided === null) return;
      transport.removeListener('data', onData);
      transport.pause();
      choose(decided.data, decided.servername);
    };
    transport.on('data', onData);
    transport.on('error', fail);
    transport.on('end', onClose);
    transport.on('close', onClose);
  }

  /** The server-side SchannelSocket for a connection, with the handshake timer and the server's events. */
  #secure(transport: Socket, credential: CredentialsHandle, timeout: number): SchannelSocket {
    const options = this.#options;
    const socket = new SchannelSocket({
      transport,
      credential,
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
    return socket;
  }
}

/**
 * Sets the server-side socket's `servername` to the name in the client's ClientHello (false
 * without one), as node:tls does, on the path where no certificate is chosen by name. Schannel
 * does not tell a server the SNI name, so the bytes are read alongside (nothing is held back) and
 * the listener goes once the parser has decided.
 */
function watchServername(transport: Socket, socket: SchannelSocket): void {
  const hello = new ClientHelloCollector();
  const onData = (chunk: Buffer) => {
    const decided = hello.add(chunk);
    if (decided === null) return;
    stop();
    if (socket.servername === null) socket.servername = decided.servername ?? false;
  };
  const stop = () => {
    transport.removeListener('data', onData);
    socket.removeListener('close', stop);
  };
  transport.on('data', onData);
  socket.once('close', stop);
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
