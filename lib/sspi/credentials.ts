// AcquireCredentialsHandleW for Schannel, typed.
import { certificateAmbiguous, certificateNotFound, certificateWithoutKey, storeFailure } from '../certstore/errors';
import { nativeLocation, validateFind, validatePlace, type StoreOptions } from '../certstore/options';
import { native, type NativeAcquireOptions, type NativeAcquireResult } from '../native';
import { failure } from './check';
import { traceCall } from './trace';
import { invalidArgValue, type SchannelError } from './errors';
import { combineFlags, protocolsBetween, SchCredFlags, SecPkgCredUse, type TlsVersion } from './flags';
import { adoptCredential, setCredentialIdentity, type CredentialsHandle } from './handles';
import { validateArray, validateBufferLike, validateObject, validateOneOf, validateString, validateUint32 } from './validate';

export type SchCredFlagName = keyof typeof SchCredFlags;

export interface AcquireCredentialsOptions {
  /** SECPKG_CRED_OUTBOUND for a client (default), INBOUND for a server. */
  use?: 'outbound' | 'inbound' | 'both';
  /** The security package; defaults to the Unified Security Protocol Provider (UNISP_NAME). */
  package?: string;
  /** pszPrincipal; Schannel ignores it, it is passed through. */
  principal?: string;
  /**
   * Which structure to pass: 'auto' (default) uses SCH_CREDENTIALS where the system understands it
   * (Windows 10 1809 and later) and SCHANNEL_CRED otherwise, as curl does.
   */
  credentialFormat?: 'auto' | 'SCH_CREDENTIALS' | 'SCHANNEL_CRED';
  /** SCH_CRED_* / SCH_USE_STRONG_CRYPTO flags, as a number or as names. */
  flags?: number | readonly SchCredFlagName[];
  /** SP_PROT_* bits to enable; 0 lets the system decide. Overrides minVersion/maxVersion. */
  enabledProtocols?: number;
  /** Node-style protocol range, turned into SP_PROT_* bits for this credential's side. */
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  /** SCHANNEL_CRED only: cipher strength bounds in bits, and the ALG_IDs allowed. */
  minimumCipherStrength?: number;
  maximumCipherStrength?: number;
  supportedAlgs?: readonly number[];
  /** dwSessionLifespan in milliseconds (0: the system default, 10 hours). */
  sessionLifespan?: number;
  /** A PKCS#12 blob whose certificate and private key become the credential's certificate. */
  pfx?: Uint8Array | ArrayBuffer;
  passphrase?: string;
  /**
   * A certificate of a Windows system store (with its private key) as the credential's certificate:
   * { location?: 'CurrentUser' (default) | 'LocalMachine', store?: 'MY' (default), thumbprint } or
   * { ..., subject } (a case-insensitive substring; must match exactly one certificate).
   * Not together with pfx.
   */
  certificate?: StoreOptions & { thumbprint?: string | Uint8Array; subject?: string };
}

/** The native form of the `certificate` option, and what its errors should say. */
function storeCertificate(value: unknown) {
  validateObject(value, 'options.certificate');
  const place = validatePlace(value, 'options.certificate');
  const { find, criteria } = validateFind(value, 'options.certificate', false);
  return { place, criteria, native: { location: nativeLocation(place.location), store: place.store, find } };
}

function storeCertificateFailure(result: NativeAcquireResult, lookup: ReturnType<typeof storeCertificate>): SchannelError {
  const thumbprints = (result.certificateMatches ?? []).map((t) => t.toString('hex').toUpperCase());
  switch (result.certificateLookup) {
    case 'not-found':
      return certificateNotFound(lookup.criteria, lookup.place);
    case 'ambiguous':
      return certificateAmbiguous(lookup.criteria, lookup.place, thumbprints);
    case 'no-private-key':
      return certificateWithoutKey(thumbprints[0] ?? '', lookup.place);
    default:
      return storeFailure(result.status, result.failedFunction ?? 'CertOpenStore', lookup.place);
  }
}

const useValues = { outbound: SecPkgCredUse.OUTBOUND, inbound: SecPkgCredUse.INBOUND, both: SecPkgCredUse.BOTH } as const;
const formatValues = { auto: 0, SCH_CREDENTIALS: 1, SCHANNEL_CRED: 2 } as const;

function optionalUint32(options: Record<string, unknown>, key: string): number {
  const value = options[key];
  if (value === undefined) return 0;
  validateUint32(value, `options.${key}`);
  return value;
}

function credentialFlags(value: unknown): number {
  if (value === undefined) return 0;
  if (Array.isArray(value)) return combineFlags(SchCredFlags, value as string[]);
  validateUint32(value, 'options.flags');
  return value;
}

function enabledProtocols(options: AcquireCredentialsOptions, use: keyof typeof useValues): number {
  if (options.enabledProtocols !== undefined) return optionalUint32(options as Record<string, unknown>, 'enabledProtocols');
  if (options.minVersion === undefined && options.maxVersion === undefined) return 0;
  const side = use === 'inbound' ? 'server' : 'client';
  return protocolsBetween(options.minVersion, options.maxVersion, side);
}

/** AcquireCredentialsHandleW with an SCH_CREDENTIALS or SCHANNEL_CRED built from the options. */
export function acquireCredentialsHandle(options: AcquireCredentialsOptions = {}): CredentialsHandle {
  validateObject(options, 'options');
  const use = options.use ?? 'outbound';
  validateOneOf(use, 'options.use', Object.keys(useValues) as (keyof typeof useValues)[]);
  const format = options.credentialFormat ?? 'auto';
  validateOneOf(format, 'options.credentialFormat', Object.keys(formatValues) as (keyof typeof formatValues)[]);
  if (options.package !== undefined) validateString(options.package, 'options.package');
  if (options.principal !== undefined) validateString(options.principal, 'options.principal');
  if (options.passphrase !== undefined) validateString(options.passphrase, 'options.passphrase');
  let supportedAlgs: number[] | undefined;
  if (options.supportedAlgs !== undefined) {
    validateArray(options.supportedAlgs, 'options.supportedAlgs');
    supportedAlgs = options.supportedAlgs.map((alg, i) => {
      validateUint32(alg, `options.supportedAlgs[${i}]`);
      return alg;
    });
  }
  const pfx = options.pfx === undefined ? undefined : validateBufferLike(options.pfx, 'options.pfx');
  if (options.passphrase !== undefined && pfx === undefined) {
    throw invalidArgValue('options.passphrase', '[hidden]', 'needs options.pfx');
  }
  const lookup = options.certificate === undefined ? undefined : storeCertificate(options.certificate);
  if (lookup && pfx !== undefined) throw invalidArgValue('options.certificate', options.certificate, 'cannot be combined with options.pfx');
  const raw = options as Record<string, unknown>;
  const request: NativeAcquireOptions = {
    use: useValues[use],
    package: options.package,
    principal: options.principal,
    format: formatValues[format],
    flags: credentialFlags(options.flags),
    enabledProtocols: enabledProtocols(options, use),
    minimumCipherStrength: optionalUint32(raw, 'minimumCipherStrength'),
    maximumCipherStrength: optionalUint32(raw, 'maximumCipherStrength'),
    sessionLifespan: optionalUint32(raw, 'sessionLifespan'),
    supportedAlgs,
    pfx,
    passphrase: options.passphrase,
    certificate: lookup?.native,
  };
  const result = native().acquireCredentialsHandle(request);
  traceCall(result.failedFunction ?? 'AcquireCredentialsHandleW', result.status, use);
  if (lookup && result.certificateLookup !== undefined) throw storeCertificateFailure(result, lookup);
  if (result.status !== 0 || !result.credential) {
    throw failure(result.status, result.failedFunction ?? 'AcquireCredentialsHandleW');
  }
  const credential = adoptCredential(result.credential, {
    expiry: typeof result.expiry === 'number' ? new Date(result.expiry) : null,
    use,
    usedSchCredentials: result.usedSchCredentials === true,
  });
  // Where the certificate came from, looked up only if a socket is asked for it (getCertificate()).
  if (pfx !== undefined) {
    setCredentialIdentity(credential, { source: { kind: 'pfx', pfx: Buffer.from(pfx), passphrase: options.passphrase ?? '' } });
  } else if (lookup) {
    const { location, store } = lookup.place;
    const { find } = lookup.native;
    const which = find.by === 1 ? { thumbprint: Buffer.from(find.sha1) } : { subject: find.text };
    setCredentialIdentity(credential, { source: { kind: 'store', location, store, ...which } });
  }
  return credential;
}
