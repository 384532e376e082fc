// Certificate chain verification through crypt32: CertGetCertificateChain, then
// CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL). Plain Windows C++, no Node-API.
//
// The verdict is left to the caller: the result reports what crypt32 found (the chain's trust bits,
// the policy status, the chain that was built and the root it ended in) plus `effectiveErrorStatus`,
// the trust bits that count for this request (see VerifyChain).
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "cert_store.h"
#include "live_counters.h"
#include "windows_sspi.h"

namespace sspi {

// Live chain contexts and chain engines, beside the store and certificate counters of Live().
// One owned chain context (CertGetCertificateChain), freed on destruction.
class ChainContext {
 public:
  explicit ChainContext(PCCERT_CHAIN_CONTEXT context) : context_(context), live_(Live().chainContexts) {}
  ~ChainContext() {
    if (context_ != nullptr) CertFreeCertificateChain(context_);
  }
  ChainContext(const ChainContext&) = delete;
  ChainContext& operator=(const ChainContext&) = delete;
  PCCERT_CHAIN_CONTEXT get() const { return context_; }

 private:
  PCCERT_CHAIN_CONTEXT context_;
  LiveToken live_;
};

// One owned chain engine (CertCreateCertificateChainEngine), freed on destruction.
class ChainEngine {
 public:
  explicit ChainEngine(HCERTCHAINENGINE engine) : engine_(engine), live_(Live().chainEngines) {}
  ~ChainEngine() {
    if (engine_ != nullptr) CertFreeCertificateChainEngine(engine_);
  }
  ChainEngine(const ChainEngine&) = delete;
  ChainEngine& operator=(const ChainEngine&) = delete;
  HCERTCHAINENGINE get() const { return engine_; }

 private:
  HCERTCHAINENGINE engine_;
  LiveToken live_;
};

enum class VerifyRole { Server, Client };

enum class RevocationMode {
  Off,         // no revocation checking
  BestEffort,  // chain minus root, cached CRL/OCSP only; "unknown" and "offline" are not errors
  Strict,      // chain minus root, online; any revocation failure is an error
};

struct VerifyRequest {
  std::vector<Bytes> chain;          // DER certificates as presented, leaf first (at least one)
  std::wstring hostName;             // DNS name for the SSL policy; empty: no name check
  Bytes hostAddress;                 // 4 or 16 bytes: an IP checked against the leaf's iPAddress SANs
  VerifyRole role = VerifyRole::Server;
  bool hasCallerRoots = false;       // callerRoots replace the system roots (even when empty)
  std::vector<Bytes> callerRoots;    // DER
  RevocationMode revocation = RevocationMode::BestEffort;
  bool hasTime = false;
  int64_t time = 0;                  // FILETIME value (100 ns units since 1601, UTC)
};

// How the chain was built.
enum class EngineKind {
  Default,          // the system's chain engine and its ROOT store (no caller roots)
  ExclusiveRoot,    // an engine whose only trust anchors are the caller's roots (hExclusiveRoot)
  AdditionalStore,  // fallback: caller roots given as extra certificates, the top checked afterwards
};

struct VerifiedElement {
  Bytes der;
  uint32_t errorStatus = 0;   // CERT_TRUST_* error bits of this element
  uint32_t infoStatus = 0;    // CERT_TRUST_* info bits of this element
  int timeValidity = 0;       // CertVerifyTimeValidity at the verification time: -1 not yet, 0 valid, 1 expired
  bool presented = false;     // one of the presented certificates
  bool callerRoot = false;    // one of the caller's roots
};

struct VerifyResult {
  Status status = 0;                    // non-zero: a call failed and there is no verdict
  const char* failedFunction = nullptr;
  int32_t failedIndex = -1;             // which input certificate could not be decoded, if that failed

  EngineKind engine = EngineKind::Default;
  Status exclusiveEngineStatus = 0;     // why the exclusive engine could not be made (fallback taken)

  uint32_t errorStatus = 0;             // the chain context's TrustStatus, as crypt32 reported it
  uint32_t infoStatus = 0;
  uint32_t effectiveErrorStatus = 0;    // the error bits that count for this request

  Status policyStatus = 0;              // CERT_CHAIN_POLICY_STATUS.dwError
  int32_t policyChainIndex = -1;
  int32_t policyElementIndex = -1;
  uint32_t policyFlags = 0;             // CERT_CHAIN_POLICY_PARA.dwFlags that were used
  bool policyCheckedName = false;       // the host name went to the SSL policy

  bool addressChecked = false;          // hostAddress was compared with the iPAddress SANs
  bool addressMatched = false;

  std::vector<VerifiedElement> chain;   // the built chain, leaf to root
  bool complete = false;                // the chain ends in a self-signed certificate
  bool anchorIsCallerRoot = false;      // ... which is one of the caller's roots
};

// Builds the chain of request.chain[0] with the other presented certificates as extra material,
// then applies the SSL policy. With caller roots it first tries an exclusive-root engine (Windows 7+);
// where that fails (Wine returns E_INVALIDARG) it builds with the roots in the additional store,
// requires the top of the chain to be one of them, and asks the policy with
// CERT_CHAIN_POLICY_ALLOW_UNKNOWN_CA_FLAG. effectiveErrorStatus is errorStatus with
//  - CERT_TRUST_IS_NOT_TIME_NESTED removed (obsolete; no policy uses it),
//  - the revocation "unknown"/"offline" bits removed unless revocation is Strict,
//  - with caller roots: CERT_TRUST_IS_UNTRUSTED_ROOT removed when the top is a caller root, and added
//    when a complete chain ends anywhere else.
// Never throws for crypt32 failures: they come back in status/failedFunction.
VerifyResult VerifyChain(const VerifyRequest& request);

}  // namespace sspi
