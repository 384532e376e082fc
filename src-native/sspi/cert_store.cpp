#include "cert_store.h"

namespace sspi {

Bytes CertContext::Der() const {
  if (context_ == nullptr) return {};
  return Bytes(context_->pbCertEncoded, context_->pbCertEncoded + context_->cbCertEncoded);
}

namespace {

bool HasPrivateKey(PCCERT_CONTEXT cert) {
  DWORD size = 0;
  return CertGetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size) ||
         CertGetCertificateContextProperty(cert, CERT_KEY_CONTEXT_PROP_ID, nullptr, &size) ||
         CertGetCertificateContextProperty(cert, CERT_NCRYPT_KEY_HANDLE_PROP_ID, nullptr, &size);
}

// Whether `cert` issued another certificate of the store (so it is a CA of the chain, not the leaf).
bool IssuesAnother(HCERTSTORE store, PCCERT_CONTEXT cert) {
  PCCERT_CONTEXT other = nullptr;
  while ((other = CertEnumCertificatesInStore(store, other)) != nullptr) {
    if (CertCompareCertificate(X509_ASN_ENCODING, cert->pCertInfo, other->pCertInfo)) continue;
    if (CertCompareCertificateName(X509_ASN_ENCODING, &cert->pCertInfo->Subject, &other->pCertInfo->Issuer)) {
      CertFreeCertificateContext(other);
      return true;
    }
  }
  return false;
}

}  // namespace

// The certificate a PFX is for: one with a private key that issued none of the others. Wine marks
// every certificate of an imported PFX as having the key, so "has a key" alone would pick a CA.
PCCERT_CONTEXT FindEndEntityWithKey(HCERTSTORE store) {
  PCCERT_CONTEXT fallback = nullptr;
  PCCERT_CONTEXT current = nullptr;
  while ((current = CertEnumCertificatesInStore(store, current)) != nullptr) {
    if (!HasPrivateKey(current)) continue;
    if (!IssuesAnother(store, current)) {
      if (fallback != nullptr) CertFreeCertificateContext(fallback);
      PCCERT_CONTEXT found = CertDuplicateCertificateContext(current);
      CertFreeCertificateContext(current);
      return found;
    }
    if (fallback == nullptr) fallback = CertDuplicateCertificateContext(current);
  }
  return fallback;
}

PfxImport ImportPfx(const Bytes& pfx, const std::wstring& password) {
  PfxImport result;
  CRYPT_DATA_BLOB blob{static_cast<DWORD>(pfx.size()), const_cast<BYTE*>(pfx.data())};
  if (!PFXIsPFXBlob(&blob)) {
    result.status = static_cast<Status>(CRYPT_E_BAD_ENCODE);
    result.failedFunction = "PFXIsPFXBlob";
    return result;
  }
  // PKCS12_NO_PERSIST_KEY keeps the key in memory only (Windows 8+); Wine ignores it.
  HCERTSTORE store = PFXImportCertStore(&blob, password.c_str(), CRYPT_USER_KEYSET | PKCS12_NO_PERSIST_KEY);
  if (store == nullptr) {
    result.status = static_cast<Status>(HRESULT_FROM_WIN32(GetLastError()));
    result.failedFunction = "PFXImportCertStore";
    return result;
  }
  result.store = std::make_shared<CertStore>(store);
  PCCERT_CONTEXT leaf = FindEndEntityWithKey(store);
  if (leaf != nullptr) result.leaf = std::make_shared<CertContext>(leaf);
  if (!result.leaf) {
    result.status = static_cast<Status>(CRYPT_E_NOT_FOUND);
    result.failedFunction = "PFXImportCertStore";
    result.store.reset();
  }
  return result;
}

std::vector<Bytes> PresentedChain(PCCERT_CONTEXT leaf) {
  std::vector<Bytes> chain;
  if (leaf == nullptr) return chain;
  chain.emplace_back(leaf->pbCertEncoded, leaf->pbCertEncoded + leaf->cbCertEncoded);
  if (leaf->hCertStore == nullptr) return chain;
  PCCERT_CONTEXT current = nullptr;
  while ((current = CertEnumCertificatesInStore(leaf->hCertStore, current)) != nullptr) {
    if (CertCompareCertificate(X509_ASN_ENCODING, leaf->pCertInfo, current->pCertInfo)) continue;
    chain.emplace_back(current->pbCertEncoded, current->pbCertEncoded + current->cbCertEncoded);
  }
  return chain;
}

}  // namespace sspi
