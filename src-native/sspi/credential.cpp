#include "credential.h"

namespace sspi {

namespace {

// SP_PROT_* bits Schannel knows; SCH_CREDENTIALS takes the complement as disabled protocols.
constexpr DWORD kAllProtocols = SP_PROT_SSL2 | SP_PROT_SSL3 | SP_PROT_TLS1_0 | SP_PROT_TLS1_1 |
                                SP_PROT_TLS1_2 | SP_PROT_TLS1_3 | SP_PROT_DTLS1_0 | SP_PROT_DTLS1_2;

using RtlGetVersionFn = LONG(WINAPI*)(PRTL_OSVERSIONINFOW);

}  // namespace

bool SystemSupportsSchCredentials() {
  // GetVersionEx lies to unmanifested programs; RtlGetVersion does not.
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  if (ntdll == nullptr) return false;
  auto rtlGetVersion = reinterpret_cast<RtlGetVersionFn>(reinterpret_cast<void*>(GetProcAddress(ntdll, "RtlGetVersion")));
  if (rtlGetVersion == nullptr) return false;
  RTL_OSVERSIONINFOW info{};
  info.dwOSVersionInfoSize = sizeof(info);
  if (rtlGetVersion(&info) != 0) return false;
  if (info.dwMajorVersion != 10) return info.dwMajorVersion > 10;
  return info.dwBuildNumber >= 17763;
}

bool SchCredentialsIgnoresProtocols() {
  // Wine's ntdll exports wine_get_version; Windows' does not.
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

AcquireResult AcquireCredentials(const CredentialRequest& request) {
  AcquireResult result;
  std::vector<PCCERT_CONTEXT> certs;
  certs.reserve(request.certificates.size());
  for (const auto& cert : request.certificates) certs.push_back(cert->get());
  HCERTSTORE rootStore = request.rootStore ? request.rootStore->get() : nullptr;

  bool useSch = request.format == CredentialFormat::SchCredentials ||
                (request.format == CredentialFormat::Auto && SystemSupportsSchCredentials() &&
                 !SchCredentialsIgnoresProtocols());

  SCH_CREDENTIALS sch{};
  TLS_PARAMETERS tlsParameters{};
  SCHANNEL_CRED legacy{};
  void* authData = nullptr;
  std::vector<ALG_ID> algs = request.supportedAlgs;

  if (useSch) {
    sch.dwVersion = SCH_CREDENTIALS_VERSION;
    sch.cCreds = static_cast<DWORD>(certs.size());
    sch.paCred = certs.empty() ? nullptr : certs.data();
    sch.hRootStore = rootStore;
    sch.dwSessionLifespan = request.sessionLifespan;
    sch.dwFlags = request.flags;
    if (request.enabledProtocols != 0) {
      tlsParameters.grbitDisabledProtocols = kAllProtocols & ~request.enabledProtocols;
      sch.cTlsParameters = 1;
      sch.pTlsParameters = &tlsParameters;
    }
    authData = &sch;
  } else {
    legacy.dwVersion = SCHANNEL_CRED_VERSION;
    legacy.cCreds = static_cast<DWORD>(certs.size());
    legacy.paCred = certs.empty() ? nullptr : certs.data();
    legacy.hRootStore = rootStore;
    legacy.cSupportedAlgs = static_cast<DWORD>(algs.size());
    legacy.palgSupportedAlgs = algs.empty() ? nullptr : algs.data();
    // Systems that only know SCHANNEL_CRED have no TLS 1.3, and some refuse the bit
    // (SEC_E_ALGORITHM_MISMATCH); when the format was chosen for the caller, it is left out.
    // (If TLS 1.3 was all that was asked for, it stays, and the system refuses it: 0 would mean
    // "the system's default" and quietly allow older protocols.)
    const DWORD withoutTls13 = request.enabledProtocols & ~static_cast<DWORD>(SP_PROT_TLS1_3);
    legacy.grbitEnabledProtocols =
        request.format == CredentialFormat::Auto && withoutTls13 != 0 ? withoutTls13 : request.enabledProtocols;
    legacy.dwMinimumCipherStrength = request.minimumCipherStrength;
    legacy.dwMaximumCipherStrength = request.maximumCipherStrength;
    legacy.dwSessionLifespan = request.sessionLifespan;
    legacy.dwFlags = request.flags;
    authData = &legacy;
  }

  CredHandle handle{};
  TimeStamp expiry{};
  std::wstring principal = request.principal;
  std::wstring package = request.package;
  SECURITY_STATUS status = AcquireCredentialsHandleW(
      principal.empty() ? nullptr : principal.data(), package.data(), request.use, nullptr, authData,
      nullptr, nullptr, &handle, &expiry);
  result.status = ToStatus(status);
  result.usedSchCredentials = useSch;
  if (status == SEC_E_OK) {
    result.credential = std::make_shared<Credential>(handle, request.certificates, request.certificateStore,
                                                     request.rootStore);
    result.expiry = expiry.QuadPart;
  }
  return result;
}

}  // namespace sspi
