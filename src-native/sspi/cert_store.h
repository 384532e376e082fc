// RAII owners for crypt32 certificate stores and certificate contexts.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "live_counters.h"
#include "windows_sspi.h"

namespace sspi {

using Bytes = std::vector<uint8_t>;

// One owned HCERTSTORE, closed on destruction.
class CertStore {
 public:
  explicit CertStore(HCERTSTORE store) : store_(store), live_(Live().certStores) {}
  ~CertStore() {
    if (store_ != nullptr) CertCloseStore(store_, 0);
  }
  CertStore(const CertStore&) = delete;
  CertStore& operator=(const CertStore&) = delete;
  HCERTSTORE get() const { return store_; }

 private:
  HCERTSTORE store_;
  LiveToken live_;
};

// One owned certificate context reference, freed on destruction.
class CertContext {
 public:
  explicit CertContext(PCCERT_CONTEXT context) : context_(context), live_(Live().certContexts) {}
  ~CertContext() {
    if (context_ != nullptr) CertFreeCertificateContext(context_);
  }
  CertContext(const CertContext&) = delete;
  CertContext& operator=(const CertContext&) = delete;
  PCCERT_CONTEXT get() const { return context_; }
  Bytes Der() const;

 private:
  PCCERT_CONTEXT context_;
  LiveToken live_;
};

struct PfxImport {
  Status status = 0;                       // 0 on success, else the HRESULT of the failing call
  const char* failedFunction = nullptr;    // which call failed
  std::shared_ptr<CertStore> store;        // keeps the imported keys' store alive
  std::shared_ptr<CertContext> leaf;       // the certificate with a private key
};

// The end-entity certificate with a private key in a store (the caller frees it), or null.
PCCERT_CONTEXT FindEndEntityWithKey(HCERTSTORE store);

// Imports a PKCS#12 blob into a memory store and picks the certificate that has a private key.
PfxImport ImportPfx(const Bytes& pfx, const std::wstring& password);

// The DER chain a peer presented: the leaf first, then the other certificates of its store.
std::vector<Bytes> PresentedChain(PCCERT_CONTEXT leaf);

}  // namespace sspi
