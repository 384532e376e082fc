// The owner of one Schannel credentials handle (CredHandle), shared by the contexts made from it.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "cert_store.h"
#include "live_counters.h"
#include "windows_sspi.h"

namespace sspi {

enum class CredentialFormat { Auto, SchCredentials, SchannelCred };

// Everything AcquireCredentialsHandleW takes for Schannel, in plain types.
struct CredentialRequest {
  std::wstring principal;                  // pszPrincipal; empty means NULL
  std::wstring package = UNISP_NAME_W;     // pszPackage
  unsigned long use = SECPKG_CRED_OUTBOUND;
  CredentialFormat format = CredentialFormat::Auto;
  DWORD flags = 0;                         // SCH_CRED_* / SCH_USE_STRONG_CRYPTO ...
  DWORD enabledProtocols = 0;              // SP_PROT_* bits; 0 lets the system choose
  DWORD minimumCipherStrength = 0;         // SCHANNEL_CRED only
  DWORD maximumCipherStrength = 0;         // SCHANNEL_CRED only
  DWORD sessionLifespan = 0;               // milliseconds; 0 is the system default
  std::vector<ALG_ID> supportedAlgs;       // SCHANNEL_CRED only
  std::vector<std::shared_ptr<CertContext>> certificates;  // client or server certificate
  std::shared_ptr<CertStore> certificateStore;             // keeps the certificates' keys alive
  std::shared_ptr<CertStore> rootStore;                    // hRootStore (server: CA names to send)
};

class Credential {
 public:
  Credential(CredHandle handle, std::vector<std::shared_ptr<CertContext>> certificates,
             std::shared_ptr<CertStore> certificateStore, std::shared_ptr<CertStore> rootStore)
      : handle_(handle),
        certificates_(std::move(certificates)),
        certificateStore_(std::move(certificateStore)),
        rootStore_(std::move(rootStore)),
        live_(Live().credentials) {}
  ~Credential() { FreeCredentialsHandle(&handle_); }
  Credential(const Credential&) = delete;
  Credential& operator=(const Credential&) = delete;

  CredHandle* handle() { return &handle_; }

 private:
  CredHandle handle_;
  // The certificates and stores must outlive the handle that refers to them.
  std::vector<std::shared_ptr<CertContext>> certificates_;
  std::shared_ptr<CertStore> certificateStore_;
  std::shared_ptr<CertStore> rootStore_;
  LiveToken live_;
};

struct AcquireResult {
  Status status = 0;
  std::shared_ptr<Credential> credential;  // set when status is SEC_E_OK
  int64_t expiry = 0;                      // TimeStamp, 100 ns units since 1601
  bool usedSchCredentials = false;
};

AcquireResult AcquireCredentials(const CredentialRequest& request);

// True where SCH_CREDENTIALS is understood (Windows 10 1809, build 17763, and later), as curl decides.
bool SystemSupportsSchCredentials();

// True where SCH_CREDENTIALS' TLS_PARAMETERS are ignored although the structure is accepted: Wine
// (measured with Wine 10: a credential limited to TLS 1.1 still negotiated TLS 1.2, while
// SCHANNEL_CRED's grbitEnabledProtocols is honoured). The automatic format then takes SCHANNEL_CRED,
// so that minVersion/maxVersion hold.
bool SchCredentialsIgnoresProtocols();

}  // namespace sspi
