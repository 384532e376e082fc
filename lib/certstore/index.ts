// Windows certificate stores: list/find/add/remove, PFX import, system roots for node:tls, and the
// client-certificate selection policy. See lib/certstore/README.md.
export { describeCertificate, toPem, commonName, type CertificateInfo, type CertificateMeta, type StoreLocation } from './info';
export { normalizeThumbprint, thumbprintOf } from './thumbprint';
export { certificateNames, certificateKeyUsages, extKeyUsageNames } from './der';
export type { StoreOptions, FindOptions } from './options';
export {
  listCertificates,
  findCertificates,
  findCertificate,
  addCertificate,
  removeCertificate,
  type AddCertificateOptions,
  type RemoveCertificateOptions,
} from './stores';
export { importPfx, PfxCertificateStore, type PfxCredentialOptions } from './pfx';
export { exportSystemRootCertificates, useSystemCertificates, systemRootCertificates, type SystemRootOptions } from './roots';
export {
  selectClientCertificate,
  selectClientCertificateFromStore,
  clientCertificateProblem,
  type SelectClientCertificateOptions,
} from './select';
