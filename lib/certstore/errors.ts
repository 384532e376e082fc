// The SchannelErrors of the certificate-store functions. Windows failures keep `status`,
// `statusName` and `functionName`; the `code` says what went wrong in the store's terms.
import { failure } from '../sspi/check';
import { SchannelError } from '../sspi/errors';
import type { StoreLocation } from './info';

const ERROR_FILE_NOT_FOUND = 0x80070002;
const ERROR_ACCESS_DENIED = 0x80070005;
const ERROR_INVALID_PASSWORD = 0x80070056;
const CRYPT_E_BAD_ENCODE = 0x80092002;

export interface StorePlace {
  location: StoreLocation;
  store: string;
}

const where = (place: StorePlace) => `${place.location}\\${place.store}`;

/** A failed store call: a missing store and a refused one get their own codes. */
export function storeFailure(status: number, functionName: string, place: StorePlace): SchannelError {
  const extra = { location: place.location, store: place.store };
  status >>>= 0;
  if (functionName === 'CertOpenStore' && status === ERROR_FILE_NOT_FOUND) {
    return new SchannelError(`The certificate store ${where(place)} does not exist`, {
      code: 'ERR_SCHANNEL_STORE_NOT_FOUND',
      status,
      functionName,
      ...extra,
    });
  }
  if (status === ERROR_ACCESS_DENIED) {
    return new SchannelError(
      `${functionName} was refused access to the certificate store ${where(place)}` +
        (place.location === 'LocalMachine' ? ' (changing LocalMachine stores needs an elevated process)' : ''),
      { code: 'ERR_SCHANNEL_STORE_ACCESS_DENIED', status, functionName, ...extra },
    );
  }
  return failure(status, functionName, extra);
}

/** A PFX that could not be read: not PKCS#12 at all, a wrong passphrase, or another import failure. */
export function pfxFailure(status: number, functionName: string): SchannelError {
  status >>>= 0;
  if (functionName === 'PFXIsPFXBlob' || status === CRYPT_E_BAD_ENCODE) {
    return new SchannelError('The data is not a PKCS#12 (PFX) blob', { code: 'ERR_SCHANNEL_PFX_INVALID', status, functionName });
  }
  if (status === ERROR_INVALID_PASSWORD) {
    return new SchannelError('The PFX passphrase is wrong', { code: 'ERR_SCHANNEL_PFX_PASSPHRASE', status, functionName });
  }
  const cause = failure(status, functionName);
  return new SchannelError(`The PFX could not be imported: ${cause.message}`, {
    code: 'ERR_SCHANNEL_PFX_IMPORT',
    status,
    functionName,
    cause,
  });
}

export function certificateNotFound(criteria: string, place: StorePlace): SchannelError {
  return new SchannelError(`No certificate with ${criteria} in ${where(place)}`, {
    code: 'ERR_SCHANNEL_CERT_NOT_FOUND',
    location: place.location,
    store: place.store,
  });
}

export function certificateAmbiguous(criteria: string, place: StorePlace, thumbprints: string[]): SchannelError {
  return new SchannelError(
    `${thumbprints.length} certificates with ${criteria} in ${where(place)}: ${thumbprints.join(', ')}; ` +
      'name one by its thumbprint',
    { code: 'ERR_SCHANNEL_CERT_AMBIGUOUS', location: place.location, store: place.store, thumbprints },
  );
}

export function certificateWithoutKey(thumbprint: string, place: StorePlace): SchannelError {
  return new SchannelError(
    `The certificate ${thumbprint} in ${where(place)} has no private key this process can use without a prompt`,
    { code: 'ERR_SCHANNEL_CERT_NO_PRIVATE_KEY', location: place.location, store: place.store, thumbprint },
  );
}
