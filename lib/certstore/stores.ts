// The Windows system certificate stores: list, find, add, remove.
import { X509Certificate } from 'node:crypto';
import { native, type NativeStoreCertificate, type NativeStoreFind } from '../native';
import { invalidArgValue } from '../sspi/errors';
import { validateBoolean, validateBufferLike, validateString } from '../sspi/validate';
import {
  certificateAmbiguous,
  certificateNotFound,
  pfxFailure,
  storeFailure,
  type StorePlace,
} from './errors';
import { describeCertificate, type CertificateInfo } from './info';
import {
  nativeLocation,
  validateFind,
  validateOptionsObject,
  validatePlace,
  type FindOptions,
  type StoreOptions,
} from './options';
import { normalizeThumbprint } from './thumbprint';

function info(entry: NativeStoreCertificate, place: StorePlace): CertificateInfo {
  return describeCertificate(entry.der, {
    hasPrivateKey: entry.hasPrivateKey,
    friendlyName: entry.friendlyName,
    location: place.location,
    store: place.store,
  });
}

/** Certificates Node's parser cannot read are left out (a system ROOT store can hold odd ones). */
function readable(entry: NativeStoreCertificate): boolean {
  try {
    new X509Certificate(entry.der); // eslint-disable-line no-new
    return true;
  } catch {
    return false;
  }
}

function list(place: StorePlace, find?: NativeStoreFind): CertificateInfo[] {
  const result = native().storeList({ location: nativeLocation(place.location), store: place.store, find });
  if (result.status !== 0 || !result.certificates) throw storeFailure(result.status, result.failedFunction ?? 'CertOpenStore', place);
  return result.certificates.filter(readable).map((entry) => info(entry, place));
}

/**
 * Every certificate of a system store (default CurrentUser\MY), one per thumbprint. A store name
 * that does not exist is ERR_SCHANNEL_STORE_NOT_FOUND (nothing is created by reading).
 */
export function listCertificates(options: StoreOptions = {}): CertificateInfo[] {
  return list(validatePlace(validateOptionsObject(options)));
}

/** Every certificate matching a thumbprint, a subject substring or an issuer substring ([] if none). */
export function findCertificates(options: FindOptions): CertificateInfo[] {
  const raw = validateOptionsObject(options);
  const place = validatePlace(raw);
  return list(place, validateFind(raw).find);
}

/**
 * The one certificate matching a thumbprint, a subject substring or an issuer substring:
 * ERR_SCHANNEL_CERT_NOT_FOUND when there is none, ERR_SCHANNEL_CERT_AMBIGUOUS (with `thumbprints`)
 * when there are several.
 */
export function findCertificate(options: FindOptions): CertificateInfo {
  const raw = validateOptionsObject(options);
  const place = validatePlace(raw);
  const { find, criteria } = validateFind(raw);
  const found = list(place, find);
  if (found.length === 0) throw certificateNotFound(criteria, place);
  if (found.length > 1) throw certificateAmbiguous(criteria, place, found.map((c) => c.thumbprint));
  return found[0];
}

export interface AddCertificateOptions extends StoreOptions {
  /** One or more certificates: PEM text (a string or bytes) or DER. */
  cert?: string | Uint8Array;
  /** A PKCS#12 blob: all its certificates are added, with their private keys persisted for the location. */
  pfx?: Uint8Array | ArrayBuffer;
  passphrase?: string;
  /** Create the store if no store of that name exists (default false: ERR_SCHANNEL_STORE_NOT_FOUND). */
  createStore?: boolean;
}

const pemPattern = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** DER certificates from PEM text or DER bytes, each checked by Node's parser. */
function certificatesFrom(value: unknown, name: string): Buffer[] {
  let ders: Buffer[];
  if (typeof value === 'string' || (value instanceof Uint8Array && Buffer.from(value).includes('-----BEGIN CERTIFICATE-----'))) {
    const text = typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString('latin1');
    ders = [...text.matchAll(pemPattern)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
    if (ders.length === 0) throw invalidArgValue(name, value, 'must hold a PEM certificate or DER bytes');
  } else {
    ders = [Buffer.from(validateBufferLike(value, name))];
  }
  for (const der of ders) {
    try {
      new X509Certificate(der); // eslint-disable-line no-new
    } catch {
      throw invalidArgValue(name, value, 'is not a readable X.509 certificate');
    }
  }
  return ders;
}

/**
 * Adds certificates to a system store and returns them as the store now has them. With `pfx`, every
 * certificate of the PFX is added with its private key persisted (CurrentUser: the user's key
 * store; LocalMachine: the machine's, which needs an elevated process), so the certificate can then
 * be used by thumbprint as a credential. On Windows, adding to CurrentUser\ROOT shows the system's
 * confirmation dialog; LocalMachine\ROOT (elevated) does not.
 */
export function addCertificate(options: AddCertificateOptions): CertificateInfo[] {
  const raw = validateOptionsObject(options);
  const place = validatePlace(raw);
  if ((raw.cert === undefined) === (raw.pfx === undefined)) throw invalidArgValue('options', options, 'must have exactly one of cert or pfx');
  if (raw.passphrase !== undefined) {
    validateString(raw.passphrase, 'options.passphrase');
    if (raw.pfx === undefined) throw invalidArgValue('options.passphrase', '[hidden]', 'needs options.pfx');
  }
  if (raw.createStore !== undefined) validateBoolean(raw.createStore, 'options.createStore');
  const pfx = raw.pfx === undefined ? undefined : validateBufferLike(raw.pfx, 'options.pfx');
  const ders = raw.cert === undefined ? [] : certificatesFrom(raw.cert, 'options.cert');
  const binding = native();
  const base = { location: nativeLocation(place.location), store: place.store, createStore: raw.createStore === true };
  const thumbprints: Buffer[] = [];
  if (pfx !== undefined) {
    const result = binding.storeAdd({ ...base, pfx, passphrase: (raw.passphrase as string | undefined) ?? '' });
    if (result.status !== 0 || !result.thumbprints) {
      const fn = result.failedFunction ?? 'PFXImportCertStore';
      throw fn.startsWith('PFX') ? pfxFailure(result.status, fn) : storeFailure(result.status, fn, place);
    }
    thumbprints.push(...result.thumbprints);
  } else {
    for (const der of ders) {
      const result = binding.storeAdd({ ...base, der });
      if (result.status !== 0 || !result.thumbprints) {
        throw storeFailure(result.status, result.failedFunction ?? 'CertAddEncodedCertificateToStore', place);
      }
      thumbprints.push(...result.thumbprints);
    }
  }
  return thumbprints.flatMap((sha1) => list(place, { by: 1, sha1 }));
}

export interface RemoveCertificateOptions extends StoreOptions {
  thumbprint: string | Uint8Array;
  /** Also delete the persisted private key the certificate points at (default false). */
  deleteKey?: boolean;
}

/**
 * Removes the certificate with this thumbprint from a system store (ERR_SCHANNEL_CERT_NOT_FOUND when
 * it is not there). Returns the normalized thumbprint and how many key containers were deleted.
 */
export function removeCertificate(options: RemoveCertificateOptions): { thumbprint: string; keysDeleted: number } {
  const raw = validateOptionsObject(options);
  const place = validatePlace(raw);
  const thumbprint = normalizeThumbprint(raw.thumbprint, 'options.thumbprint');
  if (raw.deleteKey !== undefined) validateBoolean(raw.deleteKey, 'options.deleteKey');
  const result = native().storeRemove({
    location: nativeLocation(place.location),
    store: place.store,
    thumbprint: Buffer.from(thumbprint, 'hex'),
    deleteKey: raw.deleteKey === true,
  });
  if (result.status !== 0) {
    if (result.failedFunction === 'CertFindCertificateInStore') throw certificateNotFound(`thumbprint ${thumbprint}`, place);
    throw storeFailure(result.status, result.failedFunction ?? 'CertDeleteCertificateFromStore', place);
  }
  return { thumbprint, keysDeleted: result.keysDeleted ?? 0 };
}
