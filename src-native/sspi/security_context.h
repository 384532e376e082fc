// The owner of one security context (CtxtHandle) and the handshake calls that create and advance it.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "credential.h"
#include "sec_buffers.h"

namespace sspi {

class SecurityContext {
 public:
  SecurityContext(CtxtHandle handle, std::shared_ptr<Credential> credential)
      : handle_(handle), credential_(std::move(credential)), live_(Live().contexts) {}
  ~SecurityContext() { Delete(); }
  SecurityContext(const SecurityContext&) = delete;
  SecurityContext& operator=(const SecurityContext&) = delete;

  // DeleteSecurityContext once; later calls report SEC_E_INVALID_HANDLE without touching SSPI.
  Status Delete();
  bool valid() const { return valid_; }
  CtxtHandle* handle() { return &handle_; }

  // The credential a later handshake call used (new credentials after SEC_I_INCOMPLETE_CREDENTIALS).
  void KeepCredential(std::shared_ptr<Credential> credential) {
    if (credential) credential_ = std::move(credential);
  }

  // SECPKG_ATTR_STREAM_SIZES, cached once the handshake is done; a handshake call clears it.
  Status StreamSizes(SecPkgContext_StreamSizes* sizes);
  void ForgetStreamSizes() { streamSizes_.reset(); }

 private:
  CtxtHandle handle_;
  bool valid_ = true;
  std::shared_ptr<Credential> credential_;  // a context keeps its credential alive
  std::optional<SecPkgContext_StreamSizes> streamSizes_;
  LiveToken live_;
};

enum class Role { Client, Server };

struct HandshakeRequest {
  Role role = Role::Client;
  std::shared_ptr<Credential> credential;        // may be null on later calls
  std::shared_ptr<SecurityContext> context;      // null on the first call
  bool hasTargetName = false;
  std::wstring targetName;
  unsigned long contextReq = 0;
  unsigned long targetDataRep = 0;
  bool hasInput = false;
  std::vector<InputBuffer> input;
  std::vector<OutputSpec> output;
};

struct HandshakeResult {
  Status status = 0;
  std::shared_ptr<SecurityContext> context;      // the new or continued context; null if none exists
  unsigned long contextAttr = 0;
  int64_t expiry = 0;
  std::vector<BufferResult> output;
  std::vector<BufferResult> input;
};

// InitializeSecurityContextW (client) or AcceptSecurityContext (server), one call.
HandshakeResult Handshake(HandshakeRequest request);

Status CompleteToken(SecurityContext& context, std::vector<InputBuffer> buffers);
Status ApplyControl(SecurityContext& context, const Bytes& token);

}  // namespace sspi
