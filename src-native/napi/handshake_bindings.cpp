// acquireCredentialsHandle, initializeSecurityContext, acceptSecurityContext and the calls that
// manage a context. Each returns the status as a number; TypeScript decides what is thrown.
#include "bindings.h"

#include "../sspi/context_attributes.h"
#include "../sspi/system_stores.h"
#include "handle_objects.h"
#include "marshal.h"

namespace binding {

namespace {

Napi::Value Optional(const Napi::Object& object, const char* key) {
  return object.Has(key) ? object.Get(key) : object.Env().Undefined();
}

bool Present(const Napi::Value& value) { return !value.IsUndefined() && !value.IsNull(); }

}  // namespace

// acquireCredentialsHandle({ use, package?, principal?, format, flags, enabledProtocols,
//   minimumCipherStrength, maximumCipherStrength, sessionLifespan, supportedAlgs?, pfx?, passphrase?,
//   certificate?: { location, store, find } })
// -> { status, credential?, expiry, usedSchCredentials, failedFunction?, certificateLookup?, certificateMatches? }
Napi::Value AcquireCredentialsHandle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw TypeErrorWithCode(env, "The \"options\" argument must be of type object");
  auto options = info[0].As<Napi::Object>();
  sspi::CredentialRequest request;
  request.use = ToUint32(options.Get("use"), "use");
  if (Present(Optional(options, "package"))) request.package = ToWide(options.Get("package"), "package");
  if (Present(Optional(options, "principal"))) request.principal = ToWide(options.Get("principal"), "principal");
  uint32_t format = ToUint32(options.Get("format"), "format");
  request.format = format == 1 ? sspi::CredentialFormat::SchCredentials
                   : format == 2 ? sspi::CredentialFormat::SchannelCred
                                 : sspi::CredentialFormat::Auto;
  request.flags = ToUint32(options.Get("flags"), "flags");
  request.enabledProtocols = ToUint32(options.Get("enabledProtocols"), "enabledProtocols");
  request.minimumCipherStrength = ToUint32(options.Get("minimumCipherStrength"), "minimumCipherStrength");
  request.maximumCipherStrength = ToUint32(options.Get("maximumCipherStrength"), "maximumCipherStrength");
  request.sessionLifespan = ToUint32(options.Get("sessionLifespan"), "sessionLifespan");
  Napi::Value algs = Optional(options, "supportedAlgs");
  if (Present(algs)) {
    if (!algs.IsArray()) throw TypeErrorWithCode(env, "The \"supportedAlgs\" argument must be an instance of Array");
    auto array = algs.As<Napi::Array>();
    for (uint32_t i = 0; i < array.Length(); ++i) request.supportedAlgs.push_back(ToUint32(array.Get(i), "supportedAlgs"));
  }

  Napi::Object result = Napi::Object::New(env);
  Napi::Value pfx = Optional(options, "pfx");
  if (Present(pfx)) {
    std::wstring passphrase;
    if (Present(Optional(options, "passphrase"))) passphrase = ToWide(options.Get("passphrase"), "passphrase");
    sspi::PfxImport imported = sspi::ImportPfx(ToBytes(pfx, "pfx"), passphrase);
    if (imported.status != 0) {
      result.Set("status", Napi::Number::New(env, imported.status));
      result.Set("failedFunction", Napi::String::New(env, imported.failedFunction));
      return result;
    }
    request.certificates.push_back(imported.leaf);
    request.certificateStore = imported.store;
  }
  Napi::Value storeCertificate = Optional(options, "certificate");
  if (Present(storeCertificate)) {
    // A certificate of a system store (store_bindings.cpp): exactly one match, with a private key.
    sspi::CredentialCertificate found = StoreCertificateFor(storeCertificate);
    if (found.outcome != sspi::CredentialLookup::Found) return StoreCertificateFailure(env, found);
    request.certificates.push_back(found.certificate);
    request.certificateStore = found.store;
  }

  sspi::AcquireResult acquired = sspi::AcquireCredentials(request);
  result.Set("status", Napi::Number::New(env, acquired.status));
  result.Set("usedSchCredentials", Napi::Boolean::New(env, acquired.usedSchCredentials));
  result.Set("failedFunction", Napi::String::New(env, "AcquireCredentialsHandleW"));
  if (acquired.credential) {
    result.Set("credential", CredentialObject::Wrap(env, acquired.credential));
    result.Set("expiry", ExpiryToJs(env, acquired.expiry));
  }
  return result;
}

// handshake(role, credential|null, context|null, targetName|null, contextReq, targetDataRep,
//           input[]|null, output[]) -> { status, context, contextAttr, expiry, output, input }
Napi::Value Handshake(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 8) throw TypeErrorWithCode(env, "handshake() takes 8 arguments");
  sspi::HandshakeRequest request;
  request.role = ToUint32(info[0], "role") == 1 ? sspi::Role::Server : sspi::Role::Client;
  if (Present(info[1])) {
    request.credential = CredentialObject::From(info[1], "credential");
    if (!request.credential) {
      Napi::Object result = Napi::Object::New(env);
      result.Set("status", Napi::Number::New(env, static_cast<uint32_t>(SEC_E_INVALID_HANDLE)));
      return result;
    }
  }
  bool hadContext = Present(info[2]);
  if (hadContext) request.context = ContextObject::SharedFrom(info[2], "context");
  if (Present(info[3])) {
    request.hasTargetName = true;
    request.targetName = ToWide(info[3], "targetName");
  }
  request.contextReq = ToUint32(info[4], "contextReq");
  request.targetDataRep = ToUint32(info[5], "targetDataRep");
  if (Present(info[6])) {
    request.hasInput = true;
    request.input = ToInputBuffers(info[6], "input");
  }
  request.output = ToOutputSpecs(info[7], "output");

  sspi::HandshakeResult handshake = sspi::Handshake(std::move(request));
  Napi::Object result = Napi::Object::New(env);
  result.Set("status", Napi::Number::New(env, handshake.status));
  if (hadContext) {
    result.Set("context", info[2]);
  } else {
    result.Set("context", handshake.context ? Napi::Value(ContextObject::Wrap(env, handshake.context)) : env.Null());
  }
  result.Set("contextAttr", Napi::Number::New(env, handshake.contextAttr));
  result.Set("expiry", ExpiryToJs(env, handshake.expiry));
  result.Set("output", ToBufferResults(env, handshake.output));
  result.Set("input", ToBufferResults(env, handshake.input));
  return result;
}

Napi::Value CompleteAuthToken(const Napi::CallbackInfo& info) {
  sspi::SecurityContext& context = ContextObject::From(info[0], "context");
  return Napi::Number::New(info.Env(), sspi::CompleteToken(context, ToInputBuffers(info[1], "buffers")));
}

Napi::Value ApplyControlToken(const Napi::CallbackInfo& info) {
  sspi::SecurityContext& context = ContextObject::From(info[0], "context");
  return Napi::Number::New(info.Env(), sspi::ApplyControl(context, ToBytes(info[1], "token")));
}

Napi::Value DeleteSecurityContext(const Napi::CallbackInfo& info) {
  sspi::SecurityContext& context = ContextObject::From(info[0], "context");
  return Napi::Number::New(info.Env(), context.Delete());
}

}  // namespace binding
