#include "system_stores.h"

#include <ncrypt.h>

namespace sspi {

namespace {

constexpr DWORD kEncoding = X509_ASN_ENCODING | PKCS_7_ASN_ENCODING;

Bytes Property(PCCERT_CONTEXT cert, DWORD id);

// HRESULT_FROM_WIN32(GetLastError()); a call that failed without setting the last error (Wine's
// PFXImportCertStore with a wrong password) gives E_FAIL rather than a success status.
Status LastError() {
  DWORD error = GetLastError();
  return error == ERROR_SUCCESS ? static_cast<Status>(E_FAIL) : static_cast<Status>(HRESULT_FROM_WIN32(error));
}

// CERT_STORE_CTRL_COMMIT after a change. Windows writes system stores through at once; Wine's
// registry store keeps deletions in memory until committed (measured: without it a deleted
// certificate is back in the next process). Stores that have nothing to commit may say so.
StoreStatus Commit(const CertStore& store) {
  StoreStatus result;
  if (!CertControlStore(store.get(), 0, CERT_STORE_CTRL_COMMIT, nullptr)) {
    DWORD error = GetLastError();
    if (error != ERROR_CALL_NOT_IMPLEMENTED && error != ERROR_NOT_SUPPORTED && error != static_cast<DWORD>(E_NOTIMPL)) {
      result.status = LastError();
      result.failedFunction = "CertControlStore";
    }
  }
  return result;
}

// Collapses a list to one context per SHA-1 thumbprint (Wine's CurrentUser stores also hold the
// LocalMachine store of the same name, so one certificate can be seen twice), preferring a
// context with a usable private key.
std::vector<std::shared_ptr<CertContext>> DistinctByThumbprint(std::vector<std::shared_ptr<CertContext>> list) {
  std::vector<std::shared_ptr<CertContext>> distinct;
  std::vector<Bytes> seen;
  for (auto& cert : list) {
    Bytes sha1 = Property(cert->get(), CERT_SHA1_HASH_PROP_ID);
    size_t i = 0;
    while (i < seen.size() && seen[i] != sha1) ++i;
    if (i == seen.size()) {
      seen.push_back(std::move(sha1));
      distinct.push_back(std::move(cert));
    } else if (!HasUsablePrivateKey(distinct[i]->get()) && HasUsablePrivateKey(cert->get())) {
      distinct[i] = std::move(cert);
    }
  }
  return distinct;
}

template <typename Result>
Result Failure(Status status, const char* function) {
  Result result;
  result.status = status;
  result.failedFunction = function;
  return result;
}

DWORD LocationFlag(StoreLocation location) {
  return location == StoreLocation::LocalMachine ? CERT_SYSTEM_STORE_LOCAL_MACHINE : CERT_SYSTEM_STORE_CURRENT_USER;
}

Bytes Property(PCCERT_CONTEXT cert, DWORD id) {
  DWORD size = 0;
  if (!CertGetCertificateContextProperty(cert, id, nullptr, &size) || size == 0) return {};
  Bytes value(size);
  if (!CertGetCertificateContextProperty(cert, id, value.data(), &size)) return {};
  value.resize(size);
  return value;
}

bool HasProperty(PCCERT_CONTEXT cert, DWORD id) {
  DWORD size = 0;
  return CertGetCertificateContextProperty(cert, id, nullptr, &size) != FALSE;
}

// PFXImportCertStore; an empty password is tried as L"" and then as NULL, as Microsoft advises
// (the two are different PKCS#12 passwords).
HCERTSTORE ImportPfxBlob(const Bytes& pfx, const std::wstring& password, DWORD flags, StoreStatus& failure) {
  CRYPT_DATA_BLOB blob{static_cast<DWORD>(pfx.size()), const_cast<BYTE*>(pfx.data())};
  if (!PFXIsPFXBlob(&blob)) {
    failure.status = static_cast<Status>(CRYPT_E_BAD_ENCODE);
    failure.failedFunction = "PFXIsPFXBlob";
    return nullptr;
  }
  // Cleared first: Wine's PFXImportCertStore fails a wrong password without setting the last error,
  // which would otherwise report whatever an earlier call left there.
  SetLastError(ERROR_SUCCESS);
  HCERTSTORE store = PFXImportCertStore(&blob, password.c_str(), flags);
  if (store == nullptr && password.empty()) {
    SetLastError(ERROR_SUCCESS);
    store = PFXImportCertStore(&blob, nullptr, flags);
  }
  if (store == nullptr) {
    failure.status = LastError();
    failure.failedFunction = "PFXImportCertStore";
  }
  return store;
}

// One NCRYPT_HANDLE, freed on destruction.
class NCryptObject {
 public:
  NCryptObject() = default;
  ~NCryptObject() {
    if (handle_ != 0) NCryptFreeObject(handle_);
  }
  NCryptObject(const NCryptObject&) = delete;
  NCryptObject& operator=(const NCryptObject&) = delete;
  NCRYPT_HANDLE* put() { return &handle_; }
  NCRYPT_HANDLE get() const { return handle_; }
  void release() { handle_ = 0; }

 private:
  NCRYPT_HANDLE handle_ = 0;
};

// Deletes the key container a CRYPT_KEY_PROV_INFO names: CNG (dwProvType 0) or a CryptoAPI CSP.
bool DeleteKeyContainer(const Bytes& provInfoBytes) {
  if (provInfoBytes.size() < sizeof(CRYPT_KEY_PROV_INFO)) return false;
  const auto* info = reinterpret_cast<const CRYPT_KEY_PROV_INFO*>(provInfoBytes.data());
  if (info->pwszContainerName == nullptr) return false;
  if (info->dwProvType == 0) {
    NCryptObject provider;
    if (NCryptOpenStorageProvider(provider.put(), info->pwszProvName, 0) != ERROR_SUCCESS) return false;
    NCryptObject key;
    DWORD flags = (info->dwFlags & NCRYPT_MACHINE_KEY_FLAG) | NCRYPT_SILENT_FLAG;
    if (NCryptOpenKey(provider.get(), key.put(), info->pwszContainerName, info->dwKeySpec, flags) != ERROR_SUCCESS) {
      return false;
    }
    bool deleted = NCryptDeleteKey(key.get(), NCRYPT_SILENT_FLAG) == ERROR_SUCCESS;
    if (deleted) key.release();  // NCryptDeleteKey frees the handle
    return deleted;
  }
  HCRYPTPROV provider = 0;
  DWORD flags = CRYPT_DELETEKEYSET | CRYPT_SILENT | (info->dwFlags & CRYPT_MACHINE_KEYSET);
  return CryptAcquireContextW(&provider, info->pwszContainerName, info->pwszProvName, info->dwProvType, flags) != FALSE;
}

}  // namespace

OpenedStore OpenSystemStore(StoreLocation location, const std::wstring& name, StoreAccess access, bool create) {
  DWORD flags = LocationFlag(location);
  if (access == StoreAccess::ReadOnly) flags |= CERT_STORE_READONLY_FLAG;
  if (!create) flags |= CERT_STORE_OPEN_EXISTING_FLAG;
  HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, flags, name.c_str());
  if (store == nullptr) return Failure<OpenedStore>(LastError(), "CertOpenStore");
  OpenedStore result;
  result.store = std::make_shared<CertStore>(store);
  return result;
}

bool HasUsablePrivateKey(PCCERT_CONTEXT cert) {
  // Only a certificate that declares a key is asked for it: the call can reach a smart card.
  if (!HasProperty(cert, CERT_KEY_PROV_INFO_PROP_ID) && !HasProperty(cert, CERT_KEY_CONTEXT_PROP_ID) &&
      !HasProperty(cert, CERT_NCRYPT_KEY_HANDLE_PROP_ID)) {
    return false;
  }
  HCRYPTPROV_OR_NCRYPT_KEY_HANDLE key = 0;
  DWORD keySpec = 0;
  BOOL callerFree = FALSE;
  constexpr DWORD kFlags = CRYPT_ACQUIRE_SILENT_FLAG | CRYPT_ACQUIRE_CACHE_FLAG | CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG |
                           CRYPT_ACQUIRE_COMPARE_KEY_FLAG;
  if (!CryptAcquireCertificatePrivateKey(cert, kFlags, nullptr, &key, &keySpec, &callerFree)) return false;
  // With CRYPT_ACQUIRE_CACHE_FLAG the certificate context owns the handle; free it only if told to.
  if (callerFree) {
    if (keySpec == CERT_NCRYPT_KEY_SPEC) {
      NCryptFreeObject(key);
    } else {
      CryptReleaseContext(key, 0);
    }
  }
  return true;
}

CertificateEntry Describe(PCCERT_CONTEXT cert) {
  CertificateEntry entry;
  entry.der.assign(cert->pbCertEncoded, cert->pbCertEncoded + cert->cbCertEncoded);
  entry.sha1 = Property(cert, CERT_SHA1_HASH_PROP_ID);
  Bytes name = Property(cert, CERT_FRIENDLY_NAME_PROP_ID);
  if (name.size() >= sizeof(wchar_t)) {
    entry.friendlyName.assign(reinterpret_cast<const wchar_t*>(name.data()), name.size() / sizeof(wchar_t));
    while (!entry.friendlyName.empty() && entry.friendlyName.back() == L'\0') entry.friendlyName.pop_back();
  }
  entry.hasPrivateKey = HasUsablePrivateKey(cert);
  return entry;
}

FoundCertificates FindCertificates(const CertStore& store, const FindQuery& query) {
  FoundCertificates result;
  DWORD type = CERT_FIND_ANY;
  const void* para = nullptr;
  CRYPT_HASH_BLOB hash{static_cast<DWORD>(query.sha1.size()), const_cast<BYTE*>(query.sha1.data())};
  switch (query.by) {
    case FindBy::Sha1:
      type = CERT_FIND_SHA1_HASH;
      para = &hash;
      break;
    case FindBy::SubjectText:
      type = CERT_FIND_SUBJECT_STR_W;
      para = query.text.c_str();
      break;
    case FindBy::IssuerText:
      type = CERT_FIND_ISSUER_STR_W;
      para = query.text.c_str();
      break;
    case FindBy::Any:
      break;
  }
  // Each call frees the previous context it is given; the list keeps its own duplicates.
  PCCERT_CONTEXT current = nullptr;
  while ((current = CertFindCertificateInStore(store.get(), kEncoding, 0, type, para, current)) != nullptr) {
    result.certificates.push_back(std::make_shared<CertContext>(CertDuplicateCertificateContext(current)));
  }
  if (query.distinct) result.certificates = DistinctByThumbprint(std::move(result.certificates));
  return result;
}

CredentialCertificate FindCredentialCertificate(StoreLocation location, const std::wstring& name, const FindQuery& query) {
  OpenedStore opened = OpenSystemStore(location, name, StoreAccess::ReadOnly);
  if (opened.status != 0) {
    auto result = Failure<CredentialCertificate>(opened.status, opened.failedFunction);
    result.outcome = CredentialLookup::StoreFailed;
    return result;
  }
  CredentialCertificate result;
  FoundCertificates found = FindCertificates(*opened.store, query);
  for (const auto& cert : found.certificates) result.matches.push_back(Property(cert->get(), CERT_SHA1_HASH_PROP_ID));
  if (found.certificates.empty()) {
    result.outcome = CredentialLookup::NotFound;
    result.status = static_cast<Status>(CRYPT_E_NOT_FOUND);
    result.failedFunction = "CertFindCertificateInStore";
  } else if (found.certificates.size() > 1) {
    result.outcome = CredentialLookup::Ambiguous;
  } else if (!HasUsablePrivateKey(found.certificates.front()->get())) {
    result.outcome = CredentialLookup::NoPrivateKey;
    result.status = static_cast<Status>(NTE_NO_KEY);
    result.failedFunction = "CryptAcquireCertificatePrivateKey";
  } else {
    result.outcome = CredentialLookup::Found;
    result.store = opened.store;
    result.certificate = found.certificates.front();
  }
  return result;
}

StoreChange AddEncodedCertificate(StoreLocation location, const std::wstring& name, const Bytes& der, bool createStore) {
  OpenedStore opened = OpenSystemStore(location, name, StoreAccess::ReadWrite, createStore);
  if (opened.status != 0) return Failure<StoreChange>(opened.status, opened.failedFunction);
  PCCERT_CONTEXT added = nullptr;
  // USE_EXISTING: a certificate already there keeps its properties (e.g. the link to its key).
  if (!CertAddEncodedCertificateToStore(opened.store->get(), X509_ASN_ENCODING, der.data(), static_cast<DWORD>(der.size()),
                                        CERT_STORE_ADD_USE_EXISTING, &added)) {
    return Failure<StoreChange>(LastError(), "CertAddEncodedCertificateToStore");
  }
  CertContext owner(added);
  StoreStatus committed = Commit(*opened.store);
  if (committed.status != 0) return Failure<StoreChange>(committed.status, committed.failedFunction);
  StoreChange result;
  result.thumbprints.push_back(Property(added, CERT_SHA1_HASH_PROP_ID));
  return result;
}

StoreChange AddPfxCertificates(StoreLocation location, const std::wstring& name, const Bytes& pfx,
                               const std::wstring& password, bool createStore) {
  // The target first: a store that cannot be opened must not leave a persisted key behind.
  OpenedStore target = OpenSystemStore(location, name, StoreAccess::ReadWrite, createStore);
  if (target.status != 0) return Failure<StoreChange>(target.status, target.failedFunction);
  StoreStatus failure;
  DWORD keyset = location == StoreLocation::LocalMachine ? CRYPT_MACHINE_KEYSET : CRYPT_USER_KEYSET;
  HCERTSTORE imported = ImportPfxBlob(pfx, password, keyset, failure);
  if (imported == nullptr) return Failure<StoreChange>(failure.status, failure.failedFunction);
  CertStore importedOwner(imported);

  StoreChange result;
  std::vector<std::shared_ptr<CertContext>> added;
  PCCERT_CONTEXT current = nullptr;
  while ((current = CertEnumCertificatesInStore(imported, current)) != nullptr) {
    PCCERT_CONTEXT copy = nullptr;
    // The context's properties (CERT_KEY_PROV_INFO_PROP_ID: where the key was persisted) come along.
    if (!CertAddCertificateContextToStore(target.store->get(), current, CERT_STORE_ADD_REPLACE_EXISTING, &copy)) {
      result.status = LastError();
      result.failedFunction = "CertAddCertificateContextToStore";
      CertFreeCertificateContext(current);
      break;
    }
    added.push_back(std::make_shared<CertContext>(copy));
  }
  if (result.status != 0) {
    // All or nothing: take back what this call added.
    for (const auto& cert : added) CertDeleteCertificateFromStore(CertDuplicateCertificateContext(cert->get()));
    Commit(*target.store);
    return result;
  }
  StoreStatus committed = Commit(*target.store);
  if (committed.status != 0) return Failure<StoreChange>(committed.status, committed.failedFunction);
  if (added.empty()) return Failure<StoreChange>(static_cast<Status>(CRYPT_E_NOT_FOUND), "PFXImportCertStore");
  for (const auto& cert : added) result.thumbprints.push_back(Property(cert->get(), CERT_SHA1_HASH_PROP_ID));
  return result;
}

StoreChange RemoveCertificate(StoreLocation location, const std::wstring& name, const Bytes& sha1, bool deleteKey) {
  OpenedStore opened = OpenSystemStore(location, name, StoreAccess::ReadWrite);
  if (opened.status != 0) return Failure<StoreChange>(opened.status, opened.failedFunction);
  FindQuery query;
  query.by = FindBy::Sha1;
  query.sha1 = sha1;
  query.distinct = false;  // every copy goes
  FoundCertificates found = FindCertificates(*opened.store, query);
  if (found.certificates.empty()) return Failure<StoreChange>(static_cast<Status>(CRYPT_E_NOT_FOUND), "CertFindCertificateInStore");
  StoreChange result;
  for (const auto& cert : found.certificates) {
    Bytes provInfo = deleteKey ? Property(cert->get(), CERT_KEY_PROV_INFO_PROP_ID) : Bytes{};
    // CertDeleteCertificateFromStore always frees the context it is given: give it its own reference.
    if (!CertDeleteCertificateFromStore(CertDuplicateCertificateContext(cert->get()))) {
      return Failure<StoreChange>(LastError(), "CertDeleteCertificateFromStore");
    }
    if (result.thumbprints.empty()) result.thumbprints.push_back(sha1);
    if (!provInfo.empty() && DeleteKeyContainer(provInfo)) ++result.keysDeleted;
  }
  StoreStatus committed = Commit(*opened.store);
  if (committed.status != 0) return Failure<StoreChange>(committed.status, committed.failedFunction);
  return result;
}

PfxContents ReadPfx(const Bytes& pfx, const std::wstring& password) {
  StoreStatus failure;
  // PKCS12_NO_PERSIST_KEY keeps the keys in memory (Windows 8+); Wine ignores it.
  HCERTSTORE store = ImportPfxBlob(pfx, password, CRYPT_USER_KEYSET | PKCS12_NO_PERSIST_KEY, failure);
  if (store == nullptr) return Failure<PfxContents>(failure.status, failure.failedFunction);
  PfxContents result;
  result.store = std::make_shared<CertStore>(store);
  FindQuery all;
  result.certificates = FindCertificates(*result.store, all).certificates;
  return result;
}

}  // namespace sspi
