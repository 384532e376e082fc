#include "security_context.h"

namespace sspi {

namespace {

// A call that produced a context handle we now own: anything but a failure. SEC_E_INCOMPLETE_MESSAGE
// is a failure code by its severity bit but is flow control, and leaves an existing context usable.
bool CreatesContext(Status status) { return !Failed(status); }

}  // namespace

Status SecurityContext::Delete() {
  if (!valid_) return ToStatus(SEC_E_INVALID_HANDLE);
  valid_ = false;
  streamSizes_.reset();
  Status status = ToStatus(DeleteSecurityContext(&handle_));
  live_.Release();
  // The credential may now be freed as soon as nothing else uses it.
  credential_.reset();
  return status;
}

Status SecurityContext::StreamSizes(SecPkgContext_StreamSizes* sizes) {
  if (!valid_) return ToStatus(SEC_E_INVALID_HANDLE);
  if (!streamSizes_) {
    SecPkgContext_StreamSizes queried{};
    SECURITY_STATUS status = QueryContextAttributesW(&handle_, SECPKG_ATTR_STREAM_SIZES, &queried);
    if (status != SEC_E_OK) return ToStatus(status);
    streamSizes_ = queried;
  }
  *sizes = *streamSizes_;
  return ToStatus(SEC_E_OK);
}

HandshakeResult Handshake(HandshakeRequest request) {
  HandshakeResult result;
  if (request.context && !request.context->valid()) {
    result.status = ToStatus(SEC_E_INVALID_HANDLE);
    return result;
  }
  bool sspiAllocates = request.role == Role::Client ? (request.contextReq & ISC_REQ_ALLOCATE_MEMORY) != 0
                                                    : (request.contextReq & ASC_REQ_ALLOCATE_MEMORY) != 0;
  InputBufferList input(std::move(request.input));
  OutputBufferList output(request.output, sspiAllocates);

  CredHandle* credential = request.credential ? request.credential->handle() : nullptr;
  CtxtHandle* existing = request.context ? request.context->handle() : nullptr;
  // Later calls pass the same handle as both the old and the new context, as Schannel expects.
  CtxtHandle created{};
  CtxtHandle* newContext = existing != nullptr ? existing : &created;
  unsigned long attributes = 0;
  TimeStamp expiry{};
  SECURITY_STATUS status;

  if (request.role == Role::Client) {
    status = InitializeSecurityContextW(credential, existing,
                                        request.hasTargetName ? request.targetName.data() : nullptr,
                                        request.contextReq, 0, request.targetDataRep,
                                        request.hasInput ? input.desc() : nullptr, 0, newContext,
                                        output.desc(), &attributes, &expiry);
  } else {
    status = AcceptSecurityContext(credential, existing, request.hasInput ? input.desc() : nullptr,
                                   request.contextReq, request.targetDataRep, newContext, output.desc(),
                                   &attributes, &expiry);
  }
  result.status = ToStatus(status);
  result.contextAttr = attributes;
  result.expiry = expiry.QuadPart;
  result.output = output.TakeResults();
  result.input = input.Results();

  if (request.context) {
    request.context->ForgetStreamSizes();
    request.context->KeepCredential(request.credential);
    result.context = request.context;
  } else if (CreatesContext(result.status)) {
    result.context = std::make_shared<SecurityContext>(created, request.credential);
  }
  return result;
}

Status CompleteToken(SecurityContext& context, std::vector<InputBuffer> buffers) {
  if (!context.valid()) return ToStatus(SEC_E_INVALID_HANDLE);
  InputBufferList list(std::move(buffers));
  return ToStatus(CompleteAuthToken(context.handle(), list.desc()));
}

Status ApplyControl(SecurityContext& context, const Bytes& token) {
  if (!context.valid()) return ToStatus(SEC_E_INVALID_HANDLE);
  InputBufferList list({InputBuffer{SECBUFFER_TOKEN, token}});
  return ToStatus(ApplyControlToken(context.handle(), list.desc()));
}

}  // namespace sspi
