#include "chain_verify.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace sspi {

namespace {

// crypt32 reports most failures as HRESULTs through GetLastError; plain Win32 codes are wrapped.
Status LastErrorStatus() {
  DWORD error = GetLastError();
  if (error == 0) return static_cast<Status>(E_FAIL);
  if ((error & 0x80000000u) != 0) return static_cast<Status>(error);
  return static_cast<Status>(HRESULT_FROM_WIN32(error));
}

VerifyResult Failure(const char* function, Status status, int32_t index = -1) {
  VerifyResult result;
  result.status = status;
  result.failedFunction = function;
  result.failedIndex = index;
  return result;
}

std::unique_ptr<CertStore> OpenMemoryStore() {
  HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, CERT_STORE_CREATE_NEW_FLAG, nullptr);
  if (store == nullptr) return nullptr;
  return std::make_unique<CertStore>(store);
}

// Adds one DER certificate; returns the store's context for it (owned), or null with GetLastError set.
std::unique_ptr<CertContext> AddEncoded(const CertStore& store, const Bytes& der) {
  PCCERT_CONTEXT added = nullptr;
  if (!CertAddEncodedCertificateToStore(store.get(), X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, der.data(),
                                        static_cast<DWORD>(der.size()), CERT_STORE_ADD_USE_EXISTING, &added)) {
    return nullptr;
  }
  return std::make_unique<CertContext>(added);
}

bool SameDer(PCCERT_CONTEXT context, const Bytes& der) {
  return context->cbCertEncoded == der.size() &&
         std::memcmp(context->pbCertEncoded, der.data(), der.size()) == 0;
}

bool AnyOf(PCCERT_CONTEXT context, const std::vector<Bytes>& list) {
  return std::any_of(list.begin(), list.end(), [context](const Bytes& der) { return SameDer(context, der); });
}

struct LocalFreeDeleter {
  void operator()(void* memory) const { LocalFree(memory); }
};

// Whether the certificate's subjectAltName holds this iPAddress (4 or 16 bytes, compared exactly).
// Only iPAddress entries count, as in RFC 6125 and Node's checkServerIdentity: not the CN, not DNS names.
bool HasAddressSan(PCCERT_CONTEXT certificate, const Bytes& address) {
  PCERT_EXTENSION extension = CertFindExtension(szOID_SUBJECT_ALT_NAME2, certificate->pCertInfo->cExtension,
                                                certificate->pCertInfo->rgExtension);
  if (extension == nullptr) return false;
  CERT_ALT_NAME_INFO* decoded = nullptr;
  DWORD size = 0;
  if (!CryptDecodeObjectEx(X509_ASN_ENCODING, X509_ALTERNATE_NAME, extension->Value.pbData, extension->Value.cbData,
                           CRYPT_DECODE_ALLOC_FLAG, nullptr, &decoded, &size)) {
    return false;
  }
  std::unique_ptr<CERT_ALT_NAME_INFO, LocalFreeDeleter> owner(decoded);
  for (DWORD i = 0; i < decoded->cAltEntry; ++i) {
    const CERT_ALT_NAME_ENTRY& entry = decoded->rgAltEntry[i];
    if (entry.dwAltNameChoice != CERT_ALT_NAME_IP_ADDRESS) continue;
    if (entry.IPAddress.cbData == address.size() &&
        std::memcmp(entry.IPAddress.pbData, address.data(), address.size()) == 0) {
      return true;
    }
  }
  return false;
}

// The exclusive-root engine: only the caller's roots are trust anchors. Null (with the status) where
// the system does not support it; Wine 10 answers E_INVALIDARG.
std::unique_ptr<ChainEngine> CreateExclusiveEngine(const CertStore& roots, Status& status) {
  CERT_CHAIN_ENGINE_CONFIG config{};
  config.cbSize = sizeof(config);
  config.hExclusiveRoot = roots.get();
  HCERTCHAINENGINE engine = nullptr;
  if (!CertCreateCertificateChainEngine(&config, &engine)) {
    status = LastErrorStatus();
    return nullptr;
  }
  return std::make_unique<ChainEngine>(engine);
}

DWORD ChainFlags(RevocationMode mode) {
  switch (mode) {
    case RevocationMode::Off:
      return 0;
    case RevocationMode::BestEffort:
      return CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT | CERT_CHAIN_REVOCATION_CHECK_CACHE_ONLY;
    case RevocationMode::Strict:
      return CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT;
  }
  return 0;
}

// SECURITY_FLAG_IGNORE_REVOCATION (wininet.h, documented with SSL_EXTRA_CERT_CHAIN_POLICY_PARA).
constexpr DWORD kSslIgnoreRevocation = 0x00000080;

constexpr DWORD kRevocationUnknownBits = CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION;

}  // namespace

VerifyResult VerifyChain(const VerifyRequest& request) {
  if (request.chain.empty()) return Failure("CertGetCertificateChain", static_cast<Status>(E_INVALIDARG));

  // The presented certificates (and, in the fallback, the caller's roots) as extra material.
  std::unique_ptr<CertStore> extra = OpenMemoryStore();
  if (!extra) return Failure("CertOpenStore", LastErrorStatus());
  std::unique_ptr<CertContext> leaf;
  for (size_t i = 0; i < request.chain.size(); ++i) {
    std::unique_ptr<CertContext> added = AddEncoded(*extra, request.chain[i]);
    if (!added) return Failure("CertAddEncodedCertificateToStore", LastErrorStatus(), static_cast<int32_t>(i));
    if (i == 0) leaf = std::move(added);
  }

  VerifyResult result;
  std::unique_ptr<CertStore> roots;
  std::unique_ptr<ChainEngine> engine;
  if (request.hasCallerRoots) {
    roots = OpenMemoryStore();
    if (!roots) return Failure("CertOpenStore", LastErrorStatus());
    for (size_t i = 0; i < request.callerRoots.size(); ++i) {
      if (!AddEncoded(*roots, request.callerRoots[i])) {
        return Failure("CertAddEncodedCertificateToStore", LastErrorStatus(), static_cast<int32_t>(request.chain.size() + i));
      }
    }
    engine = CreateExclusiveEngine(*roots, result.exclusiveEngineStatus);
    if (engine) {
      result.engine = EngineKind::ExclusiveRoot;
    } else {
      result.engine = EngineKind::AdditionalStore;
      for (const Bytes& der : request.callerRoots) {
        if (!AddEncoded(*extra, der)) return Failure("CertAddEncodedCertificateToStore", LastErrorStatus());
      }
    }
  }

  LPSTR usage = const_cast<LPSTR>(request.role == VerifyRole::Server ? szOID_PKIX_KP_SERVER_AUTH : szOID_PKIX_KP_CLIENT_AUTH);
  CERT_CHAIN_PARA chainPara{};
  chainPara.cbSize = sizeof(chainPara);
  chainPara.RequestedUsage.dwType = USAGE_MATCH_TYPE_AND;
  chainPara.RequestedUsage.Usage.cUsageIdentifier = 1;
  chainPara.RequestedUsage.Usage.rgpszUsageIdentifier = &usage;

  FILETIME when{};
  if (request.hasTime) {
    when.dwLowDateTime = static_cast<DWORD>(static_cast<uint64_t>(request.time) & 0xFFFFFFFFu);
    when.dwHighDateTime = static_cast<DWORD>(static_cast<uint64_t>(request.time) >> 32);
  } else {
    GetSystemTimeAsFileTime(&when);
  }

  PCCERT_CHAIN_CONTEXT built = nullptr;
  if (!CertGetCertificateChain(engine ? engine->get() : nullptr, leaf->get(), &when, extra->get(), &chainPara,
                               ChainFlags(request.revocation), nullptr, &built)) {
    return Failure("CertGetCertificateChain", LastErrorStatus());
  }
  ChainContext chain(built);

  result.errorStatus = built->TrustStatus.dwErrorStatus;
  result.infoStatus = built->TrustStatus.dwInfoStatus;
  for (DWORD c = 0; c < built->cChain; ++c) {
    const CERT_SIMPLE_CHAIN* simple = built->rgpChain[c];
    for (DWORD e = 0; e < simple->cElement; ++e) {
      const CERT_CHAIN_ELEMENT* element = simple->rgpElement[e];
      PCCERT_CONTEXT cert = element->pCertContext;
      VerifiedElement out;
      out.der.assign(cert->pbCertEncoded, cert->pbCertEncoded + cert->cbCertEncoded);
      out.errorStatus = element->TrustStatus.dwErrorStatus;
      out.infoStatus = element->TrustStatus.dwInfoStatus;
      out.timeValidity = static_cast<int>(CertVerifyTimeValidity(&when, cert->pCertInfo));
      out.presented = AnyOf(cert, request.chain);
      out.callerRoot = request.hasCallerRoots && AnyOf(cert, request.callerRoots);
      result.chain.push_back(std::move(out));
    }
  }
  if (result.chain.empty()) return Failure("CertGetCertificateChain", static_cast<Status>(CERT_E_CHAINING));

  const VerifiedElement& top = result.chain.back();
  result.complete = (result.errorStatus & CERT_TRUST_IS_PARTIAL_CHAIN) == 0;
  result.anchorIsCallerRoot = result.complete && top.callerRoot;

  uint32_t effective = result.errorStatus & ~static_cast<uint32_t>(CERT_TRUST_IS_NOT_TIME_NESTED);
  if (request.revocation != RevocationMode::Strict) effective &= ~kRevocationUnknownBits;
  if (request.hasCallerRoots && result.complete) {
    if (result.anchorIsCallerRoot) {
      effective &= ~static_cast<uint32_t>(CERT_TRUST_IS_UNTRUSTED_ROOT);
    } else {
      effective |= CERT_TRUST_IS_UNTRUSTED_ROOT;  // e.g. a system root the caller did not name
    }
  }
  result.effectiveErrorStatus = effective;

  SSL_EXTRA_CERT_CHAIN_POLICY_PARA ssl{};
  ssl.cbSize = sizeof(ssl);
  ssl.dwAuthType = request.role == VerifyRole::Server ? AUTHTYPE_SERVER : AUTHTYPE_CLIENT;
  std::wstring serverName = request.hostName;
  if (request.role == VerifyRole::Server && !serverName.empty() && request.hostAddress.empty()) {
    ssl.pwszServerName = serverName.data();
    result.policyCheckedName = true;
  }
  CERT_CHAIN_POLICY_PARA policyPara{};
  policyPara.cbSize = sizeof(policyPara);
  policyPara.pvExtraPolicyPara = &ssl;
  if (request.revocation != RevocationMode::Strict) {
    // Not strict: "revocation unknown/offline" must not stop the policy before its name check. Wine's
    // SSL policy ignores the IGNORE_*_REV_UNKNOWN flags and answers CERT_E_REVOCATION_FAILURE, so the
    // SSL-specific switch is set too. It would also hide a revoked certificate from the policy, but
    // CERT_TRUST_IS_REVOKED stays in effectiveErrorStatus, which the caller checks first.
    policyPara.dwFlags |= CERT_CHAIN_POLICY_IGNORE_ALL_REV_UNKNOWN_FLAGS;
    ssl.fdwChecks |= kSslIgnoreRevocation;
  }
  if (result.anchorIsCallerRoot) {
    // The caller trusts this root. Needed in the fallback, where the root is "unknown" to the engine;
    // harmless with the exclusive engine, which already trusts it.
    policyPara.dwFlags |= CERT_CHAIN_POLICY_ALLOW_UNKNOWN_CA_FLAG;
  }
  result.policyFlags = policyPara.dwFlags;
  CERT_CHAIN_POLICY_STATUS policyStatus{};
  policyStatus.cbSize = sizeof(policyStatus);
  if (!CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL, built, &policyPara, &policyStatus)) {
    return Failure("CertVerifyCertificateChainPolicy", LastErrorStatus());
  }
  result.policyStatus = static_cast<Status>(policyStatus.dwError);
  result.policyChainIndex = policyStatus.lChainIndex;
  result.policyElementIndex = policyStatus.lElementIndex;

  if (request.role == VerifyRole::Server && !request.hostAddress.empty()) {
    result.addressChecked = true;
    result.addressMatched = HasAddressSan(leaf->get(), request.hostAddress);
  }
  return result;
}

}  // namespace sspi
