// The Windows system certificate stores (CurrentUser\MY, LocalMachine\ROOT, ...): open, enumerate,
// find, add (a DER certificate or a PFX's certificates with persisted keys) and remove.
// Plain crypt32: every store and certificate reference has an RAII owner from cert_store.h.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "cert_store.h"

namespace sspi {

enum class StoreLocation { CurrentUser, LocalMachine };
enum class StoreAccess { ReadOnly, ReadWrite };

// A failed call: the HRESULT and the crypt32 function that gave it. status 0 is success.
struct StoreStatus {
  Status status = 0;
  const char* failedFunction = nullptr;
};

struct OpenedStore : StoreStatus {
  std::shared_ptr<CertStore> store;
};

// CertOpenStore(CERT_STORE_PROV_SYSTEM_W). A store name that does not exist is an error
// (CERT_STORE_OPEN_EXISTING_FLAG: ERROR_FILE_NOT_FOUND) unless `create` is set.
OpenedStore OpenSystemStore(StoreLocation location, const std::wstring& name, StoreAccess access, bool create = false);

// What the store knows about one certificate; everything else is parsed from `der` by the caller.
struct CertificateEntry {
  Bytes der;
  Bytes sha1;                  // CERT_SHA1_HASH_PROP_ID: the thumbprint Windows shows
  std::wstring friendlyName;   // CERT_FRIENDLY_NAME_PROP_ID; empty when unset
  bool hasPrivateKey = false;  // see HasUsablePrivateKey
};

// Whether the certificate's private key can be had without any UI: CryptAcquireCertificatePrivateKey
// with CRYPT_ACQUIRE_SILENT_FLAG | CACHE | ALLOW_NCRYPT_KEY | COMPARE_KEY succeeds (the key exists and
// matches the certificate's public key).
bool HasUsablePrivateKey(PCCERT_CONTEXT cert);
CertificateEntry Describe(PCCERT_CONTEXT cert);

enum class FindBy { Any, Sha1, SubjectText, IssuerText };
struct FindQuery {
  FindBy by = FindBy::Any;
  Bytes sha1;         // FindBy::Sha1: 20 bytes
  std::wstring text;  // SubjectText/IssuerText: case-insensitive substring of any name attribute
  // One context per thumbprint (Wine's CurrentUser stores include LocalMachine's: a certificate can
  // be seen twice); the one with a usable private key is kept.
  bool distinct = true;
};

struct FoundCertificates : StoreStatus {
  std::vector<std::shared_ptr<CertContext>> certificates;
};

// CertEnumCertificatesInStore / CertFindCertificateInStore (CERT_FIND_SHA1_HASH,
// CERT_FIND_SUBJECT_STR_W, CERT_FIND_ISSUER_STR_W). No match is an empty list, not an error.
FoundCertificates FindCertificates(const CertStore& store, const FindQuery& query);

// A certificate found in a system store for a credential: exactly one match, with a private key.
enum class CredentialLookup { Found, StoreFailed, NotFound, Ambiguous, NoPrivateKey };
struct CredentialCertificate : StoreStatus {
  CredentialLookup outcome = CredentialLookup::NotFound;
  std::shared_ptr<CertStore> store;          // keeps the certificate's store open
  std::shared_ptr<CertContext> certificate;  // set when Found
  std::vector<Bytes> matches;                // the thumbprints of every match (for Ambiguous)
};
CredentialCertificate FindCredentialCertificate(StoreLocation location, const std::wstring& name, const FindQuery& query);

// The result of a change: the thumbprints added or removed.
struct StoreChange : StoreStatus {
  std::vector<Bytes> thumbprints;
  int keysDeleted = 0;  // RemoveCertificate with deleteKey: key containers deleted
};

// CertAddEncodedCertificateToStore(CERT_STORE_ADD_REPLACE_EXISTING) of one DER certificate.
StoreChange AddEncodedCertificate(StoreLocation location, const std::wstring& name, const Bytes& der, bool createStore);

// Every certificate of a PKCS#12 blob, with its persisted private key (PFXImportCertStore with
// CRYPT_USER_KEYSET for CurrentUser, CRYPT_MACHINE_KEYSET for LocalMachine), into the named store.
StoreChange AddPfxCertificates(StoreLocation location, const std::wstring& name, const Bytes& pfx,
                               const std::wstring& password, bool createStore);

// CertDeleteCertificateFromStore of the certificate with this SHA-1 thumbprint; with `deleteKey`, its
// persisted key container too (CryptAcquireContext(CRYPT_DELETEKEYSET) or NCryptDeleteKey).
// Not found: CRYPT_E_NOT_FOUND.
StoreChange RemoveCertificate(StoreLocation location, const std::wstring& name, const Bytes& sha1, bool deleteKey);

// The certificates of a PKCS#12 blob in a memory store, keys not persisted where Windows allows it
// (PKCS12_NO_PERSIST_KEY, Windows 8+). For describing a PFX; the store closes with the result.
struct PfxContents : StoreStatus {
  std::shared_ptr<CertStore> store;
  std::vector<std::shared_ptr<CertContext>> certificates;
};
PfxContents ReadPfx(const Bytes& pfx, const std::wstring& password);

}  // namespace sspi
