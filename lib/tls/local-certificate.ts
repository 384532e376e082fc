// The certificate a credential presents, known from where the credential came from (a PFX, PEM
// turned into a PFX, or a system store), for TLSSocket#getCertificate where Schannel will not say:
// SECPKG_ATTR_LOCAL_CERT_CONTEXT is unsupported under Wine, and a client the server did not ask for
// a certificate has none in its context although node:tls still reports the configured one.
import { debuglog } from 'node:util';
import { findCertificate } from '../certstore/stores';
import { importPfx } from '../certstore/pfx';
import { credentialIdentity, type CredentialsHandle } from '../sspi/handles';

const trace = debuglog('schannel');

/**
 * The DER of the certificate `credential` was made with, or null when it has none (or it can no
 * longer be read: a store certificate removed since). Looked up once per credential (every share
 * of it included), on first use, through Windows: the PFX is read by PFXImportCertStore and its
 * end-entity certificate picked as the credential's own import picks it; a store certificate is
 * found again by the thumbprint or subject the credential was made with.
 */
export function credentialCertificate(credential: CredentialsHandle): Buffer | null {
  const identity = credentialIdentity(credential);
  if (!identity) return null;
  if (identity.resolved === undefined) {
    const source = identity.source;
    try {
      identity.resolved =
        source.kind === 'pfx'
          ? importPfx(source.pfx, source.passphrase).certificate.raw
          : findCertificate({
            location: source.location,
            store: source.store,
            ...(source.thumbprint ? { thumbprint: source.thumbprint } : { subject: source.subject }),
          }).raw;
    } catch (error) {
      trace('the credential\'s certificate could not be read again: %s', (error as Error).message);
      identity.resolved = null;
    }
  }
  return identity.resolved;
}
