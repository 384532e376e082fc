// importPfx: a PKCS#12 blob read by Windows into a memory store, described, and usable as credentials.
import { native } from '../native';
import { acquireCredentialsHandle, type AcquireCredentialsOptions } from '../sspi/credentials';
import type { CredentialsHandle } from '../sspi/handles';
import { invalidArgValue, invalidThis, SchannelError } from '../sspi/errors';
import { assertInternalConstruction, constructInternally } from '../sspi/internal-construction';
import { validateBufferLike, validateObject, validateString } from '../sspi/validate';
import { certificateNames } from './der';
import { pfxFailure } from './errors';
import { describeCertificate, type CertificateInfo } from './info';

export type PfxCredentialOptions = Omit<AcquireCredentialsOptions, 'pfx' | 'passphrase' | 'certificate'>;

/** The end-entity certificate: one with a key that issued none of the others (as the native PFX path picks). */
function endEntity(certificates: readonly CertificateInfo[]): CertificateInfo | undefined {
  const names = certificates.map((c) => certificateNames(c.raw));
  const issues = (i: number) => names.some((other, j) => j !== i && other.issuer.equals(names[i].subject));
  const keyed = certificates.map((c, i) => ({ c, i })).filter(({ c }) => c.hasPrivateKey);
  return (keyed.find(({ i }) => !issues(i)) ?? keyed[0])?.c;
}

/**
 * The certificates of one PFX, and credentials made from it. The PFX was read by Windows
 * (PFXImportCertStore into a memory store, keys not persisted where Windows allows it) to check the
 * passphrase and describe what it holds; the memory store is closed again at once. Each
 * acquireCredentials() imports the PFX anew for the credential it makes (the credential then owns
 * that memory store and its key until it is disposed), so this object holds no Windows handle and
 * needs no disposal. It keeps the PFX bytes and passphrase in memory for that.
 */
export class PfxCertificateStore {
  /** Every certificate of the PFX, in the PFX's order. */
  readonly certificates: readonly CertificateInfo[];
  /** The end-entity certificate with a private key: the one credentials present. */
  readonly certificate: CertificateInfo;
  readonly #pfx: Buffer;
  readonly #passphrase: string;

  /** @internal use importPfx(); `new` from outside throws ERR_ILLEGAL_CONSTRUCTOR. */
  constructor(pfx: Buffer, passphrase: string, certificates: CertificateInfo[], certificate: CertificateInfo) {
    assertInternalConstruction(PfxCertificateStore);
    this.#pfx = pfx;
    this.#passphrase = passphrase;
    this.certificates = Object.freeze(certificates);
    this.certificate = certificate;
  }

  /** acquireCredentialsHandle with this PFX's certificate and key (use: 'outbound' by default). */
  acquireCredentials(options: PfxCredentialOptions = {}): CredentialsHandle {
    PfxCertificateStore.#check(this);
    validateObject(options, 'options');
    for (const key of ['pfx', 'passphrase', 'certificate'] as const) {
      if ((options as Record<string, unknown>)[key] !== undefined) throw invalidArgValue(`options.${key}`, '[hidden]', 'comes from the PFX');
    }
    return acquireCredentialsHandle({ ...options, pfx: this.#pfx, passphrase: this.#passphrase });
  }

  /** The options node:tls (or this package's connect/createServer) takes for the same identity. */
  toTlsOptions(): { pfx: Buffer; passphrase: string } {
    PfxCertificateStore.#check(this);
    return { pfx: Buffer.from(this.#pfx), passphrase: this.#passphrase };
  }

  static #check(self: unknown): void {
    if (typeof self !== 'object' || self === null || !(#pfx in self)) throw invalidThis('PfxCertificateStore');
  }
}

/**
 * Reads a PKCS#12 blob with Windows' own PFX import. A wrong passphrase is ERR_SCHANNEL_PFX_PASSPHRASE,
 * data that is not PKCS#12 ERR_SCHANNEL_PFX_INVALID, a PFX without a private key
 * ERR_SCHANNEL_CERT_NO_PRIVATE_KEY.
 */
export function importPfx(pfx: Uint8Array | ArrayBuffer, passphrase = ''): PfxCertificateStore {
  const bytes = Buffer.from(validateBufferLike(pfx, 'pfx'));
  validateString(passphrase, 'passphrase');
  const result = native().pfxRead(bytes, passphrase);
  if (result.status !== 0 || !result.certificates) throw pfxFailure(result.status, result.failedFunction ?? 'PFXImportCertStore');
  const certificates = result.certificates.map((entry) =>
    describeCertificate(entry.der, { hasPrivateKey: entry.hasPrivateKey, friendlyName: entry.friendlyName }),
  );
  const leaf = endEntity(certificates);
  if (!leaf) {
    throw new SchannelError('The PFX holds no certificate with a private key', { code: 'ERR_SCHANNEL_CERT_NO_PRIVATE_KEY' });
  }
  return constructInternally(PfxCertificateStore, () => new PfxCertificateStore(bytes, passphrase, certificates, leaf));
}
