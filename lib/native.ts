// The only place the compiled addon is loaded. Importing the package never throws: on a platform
// without Schannel, or with the binary missing, every call that needs it throws one SchannelError
// (ERR_SCHANNEL_UNSUPPORTED) naming the platform and every path that was tried.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SchannelError } from './sspi/errors';

/** Opaque native owners of an SSPI handle; JS never sees the handle value. */
export interface NativeCredential {
  dispose(): void;
  /** Another owner of the same credential, or null when this one is disposed. */
  share(): NativeCredential | null;
  readonly disposed: boolean;
}
export interface NativeContext {
  readonly deleted: boolean;
}

export interface NativeBufferResult {
  type: number;
  size: number;
  data: Buffer | null;
}

export interface NativeAcquireOptions {
  use: number;
  package?: string;
  principal?: string;
  /** 0 auto (SCH_CREDENTIALS where the OS has it), 1 SCH_CREDENTIALS, 2 SCHANNEL_CRED. */
  format: number;
  flags: number;
  enabledProtocols: number;
  minimumCipherStrength: number;
  maximumCipherStrength: number;
  sessionLifespan: number;
  supportedAlgs?: number[];
  pfx?: Uint8Array;
  passphrase?: string;
  /** A certificate of a system store (lib/certstore): exactly one match, with a private key. */
  certificate?: { location: NativeStoreLocation; store: string; find: NativeStoreFind };
}

export interface NativeAcquireResult {
  status: number;
  failedFunction?: string;
  usedSchCredentials?: boolean;
  credential?: NativeCredential;
  expiry?: number | null;
  /** With `certificate`: why no certificate was used. */
  certificateLookup?: 'store-failed' | 'not-found' | 'ambiguous' | 'no-private-key';
  /** With `certificate`: the SHA-1 thumbprints of every match. */
  certificateMatches?: Buffer[];
}

/** 0 CurrentUser, 1 LocalMachine. */
export type NativeStoreLocation = 0 | 1;

/** What to look for: 1 SHA-1 thumbprint (20 bytes), 2 subject substring, 3 issuer substring. */
export type NativeStoreFind = { by: 1; sha1: Uint8Array } | { by: 2 | 3; text: string };

/** One certificate as a store holds it; the rest is parsed from `der` (lib/certstore/info.ts). */
export interface NativeStoreCertificate {
  der: Buffer;
  /** CERT_SHA1_HASH_PROP_ID. */
  thumbprint: Buffer;
  /** CERT_FRIENDLY_NAME_PROP_ID ('' when unset). */
  friendlyName: string;
  /** CryptAcquireCertificatePrivateKey (silent, key compared) succeeded. */
  hasPrivateKey: boolean;
}

export interface NativeStoreResult {
  status: number;
  failedFunction?: string;
}

export interface NativeHandshakeResult {
  status: number;
  context?: NativeContext | null;
  contextAttr?: number;
  expiry?: number | null;
  output?: NativeBufferResult[];
  input?: NativeBufferResult[];
}

export interface NativeBinding {
  acquireCredentialsHandle(options: NativeAcquireOptions): NativeAcquireResult;
  handshake(
    role: 0 | 1,
    credential: NativeCredential | null,
    context: NativeContext | null,
    targetName: string | null,
    contextReq: number,
    targetDataRep: number,
    input: { type: number; data?: Uint8Array | null }[] | null,
    output: { type: number; size?: number }[],
  ): NativeHandshakeResult;
  completeAuthToken(context: NativeContext, buffers: { type: number; data?: Uint8Array | null }[]): number;
  applyControlToken(context: NativeContext, token: Uint8Array): number;
  deleteSecurityContext(context: NativeContext): number;
  /** The numbers the record calls produce (lib/sspi/messages.ts reads them by slot). */
  messageResults: Float64Array;
  /** Records for `data` into `out` from `offset`; the status, with written/needed in messageResults. */
  encryptInto(context: NativeContext, data: Uint8Array, out: Uint8Array, offset: number): number;
  /** Every complete record of `data`, decrypted in place; the status, the rest in messageResults. */
  decryptInPlace(context: NativeContext, data: Uint8Array): number;
  decryptMessage(
    context: NativeContext,
    data: Uint8Array,
  ): { status: number; data: Buffer; extra: Buffer | null; missing: number | null; consumed: number };
  queryContextAttributes(context: NativeContext, attribute: number): { status: number; value: unknown };
  statusText(status: number): string;
  debugStats(): NativeDebugStats;
  systemInfo(): { supportsSchCredentials: boolean; schCredentialsIgnoresProtocols: boolean };
  verifyCertificateChain(request: NativeVerifyRequest): Promise<NativeVerifyResult>;
  verifyCertificateChainSync(request: NativeVerifyRequest): NativeVerifyResult;
  storeList(options: { location: NativeStoreLocation; store: string; find?: NativeStoreFind }): NativeStoreResult & {
    certificates?: NativeStoreCertificate[];
  };
  storeAdd(options: {
    location: NativeStoreLocation;
    store: string;
    der?: Uint8Array;
    pfx?: Uint8Array;
    passphrase?: string;
    createStore?: boolean;
  }): NativeStoreResult & { thumbprints?: Buffer[] };
  storeRemove(options: { location: NativeStoreLocation; store: string; thumbprint: Uint8Array; deleteKey: boolean }): NativeStoreResult & {
    thumbprints?: Buffer[];
    keysDeleted?: number;
  };
  pfxRead(pfx: Uint8Array, passphrase: string): NativeStoreResult & { certificates?: NativeStoreCertificate[] };
  /** npm run bench: EncryptMessage on sender, DecryptMessage on receiver, in place, no JS between. */
  benchRecordLoop(sender: NativeContext, receiver: NativeContext, totalBytes: number, chunkBytes: number): NativeBenchResult;
}

/** verifyCertificateChain's request, already validated (lib/certs/verify.ts). */
export interface NativeVerifyRequest {
  /** DER, leaf first. */
  chain: Uint8Array[];
  /** DNS name for the SSL policy. */
  hostName?: string;
  /** 4 or 16 bytes, checked against the leaf's iPAddress SANs. */
  hostAddress?: Uint8Array;
  /** 0 server certificate, 1 client certificate. */
  role: 0 | 1;
  /** DER; replaces the system roots when present. */
  roots?: Uint8Array[];
  /** 0 off, 1 best-effort, 2 strict. */
  revocation: 0 | 1 | 2;
  /** Milliseconds since 1970. */
  time?: number;
}

export interface NativeVerifiedElement {
  der: Buffer;
  errorStatus: number;
  infoStatus: number;
  /** -1 not yet valid, 0 valid, 1 expired (at the verification time). */
  timeValidity: number;
  presented: boolean;
  callerRoot: boolean;
}

export interface NativeVerifyResult {
  /** Non-zero: a call failed and there is no verdict. */
  status: number;
  failedFunction?: string;
  failedIndex?: number;
  engine?: 'default' | 'exclusive-root' | 'additional-store';
  exclusiveEngineStatus?: number;
  errorStatus?: number;
  infoStatus?: number;
  effectiveErrorStatus?: number;
  policyStatus?: number;
  policyChainIndex?: number;
  policyElementIndex?: number;
  policyFlags?: number;
  policyCheckedName?: boolean;
  addressChecked?: boolean;
  addressMatched?: boolean;
  complete?: boolean;
  anchorIsCallerRoot?: boolean;
  chain?: NativeVerifiedElement[];
}

/** benchRecordLoop's result; status 0 when every record round-tripped. */
export interface NativeBenchResult {
  status: number;
  failedFunction: string | null;
  nanoseconds: number;
  encryptNanoseconds: number;
  decryptNanoseconds: number;
  bytes: number;
  records: number;
}

export interface NativeDebugStats {
  credentials: number;
  contexts: number;
  certStores: number;
  certContexts: number;
  contextBuffers: number;
  chainContexts: number;
  chainEngines: number;
}

const packageRoot = join(__dirname, '..');

/** Where a binary is looked for, in order. SCHANNEL_BINDING_PATH names a file to use instead. */
export function candidatePaths(platform = process.platform, arch = process.arch): string[] {
  const paths: string[] = [];
  const override = process.env.SCHANNEL_BINDING_PATH;
  if (override) paths.push(override);
  paths.push(join(packageRoot, 'build', 'Release', 'schannel.node'));
  paths.push(join(packageRoot, 'prebuilds', `${platform}-${arch}`, 'schannel.napi.node'));
  return paths;
}

let loaded: { binding: NativeBinding } | { error: SchannelError } | undefined;

function unsupported(message: string, tried: string[], cause?: unknown): SchannelError {
  const list = tried.length > 0 ? tried.map((p) => `\n  - ${p}`).join('') : '\n  (none)';
  return new SchannelError(`${message}\nPaths tried:${list}`, {
    code: 'ERR_SCHANNEL_UNSUPPORTED',
    cause,
    platform: process.platform,
    arch: process.arch,
    pathsTried: tried,
  });
}

function load(): { binding: NativeBinding } | { error: SchannelError } {
  const paths = candidatePaths();
  if (process.platform !== 'win32') {
    return {
      error: unsupported(
        `Schannel is part of Windows and is not available on platform "${process.platform}" (${process.arch}). ` +
          'Run on Windows, or under Wine with scripts/wine-node for development.',
        paths.map((p) => `${p} (not attempted: not Windows)`),
      ),
    };
  }
  const tried: string[] = [];
  let lastError: unknown;
  for (const path of paths) {
    if (!existsSync(path)) {
      tried.push(`${path} (not found)`);
      continue;
    }
    try {
      return { binding: require(path) as NativeBinding };
    } catch (error) {
      lastError = error;
      tried.push(`${path} (${(error as Error).message.split('\n')[0]})`);
    }
  }
  return {
    error: unsupported(
      `No usable schannel binary for ${process.platform}-${process.arch} (Node ${process.version}). ` +
        'Reinstall the package, or build it with `npm run build`.',
      tried,
      lastError,
    ),
  };
}

/** The loaded binding; throws ERR_SCHANNEL_UNSUPPORTED where there is none. */
export function native(): NativeBinding {
  loaded ??= load();
  if ('error' in loaded) throw loaded.error;
  return loaded.binding;
}

/** Whether the native binding loaded, so Schannel calls can be made. Never throws. */
export function isSupported(): boolean {
  loaded ??= load();
  return 'binding' in loaded;
}

/** Why the binding is not available (undefined when it is). */
export function unsupportedReason(): SchannelError | undefined {
  loaded ??= load();
  return 'error' in loaded ? loaded.error : undefined;
}
