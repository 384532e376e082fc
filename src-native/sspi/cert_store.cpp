#include "cert_store.h"

namespace sspi {

Bytes CertContext::Der() const {
  if (context_ == nullptr) return {};
  return Bytes(context_->pbCertEncoded, context_->pbCertEncoded + context_->cbCertEncoded);
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
  PCCERT_CONTEXT current = nullptr;
  while ((current = CertEnumCertificatesInStore(store, current)) != nullptr) {
    DWORD size = 0;
    if (CertGetCertificateContextProperty(current, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size) ||
        CertGetCertificateContextProperty(current, CERT_KEY_CONTEXT_PROP_ID, nullptr, &size) ||
        CertGetCertificateContextProperty(current, CERT_NCRYPT_KEY_HANDLE_PROP_ID, nullptr, &size)) {
      result.leaf = std::make_shared<CertContext>(CertDuplicateCertificateContext(current));
      CertFreeCertificateContext(current);
      break;
    }
  }
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
