// Certificate verification through Windows' chain engine, and Node-shaped certificate objects.
export {
  verifyCertificateChain,
  verifyCertificateChainSync,
  trustErrorNames,
  trustInfoNames,
  CertTrustError,
  CertTrustInfo,
  VerificationError,
  type VerifyCertificateChainOptions,
  type VerifyOutcome,
  type TrustStatus,
  type VerifyRole,
  type RevocationMode,
} from './verify';
export { peerCertificateObject } from './x509';
