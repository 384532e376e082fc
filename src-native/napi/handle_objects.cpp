#include "handle_objects.h"

#include "marshal.h"

namespace binding {

namespace {

// Random 128-bit tags (napi_type_tag_object) that identify our two wrapper kinds.
constexpr napi_type_tag kCredentialTag = {0x9c3a1f2e6b7d4a01ULL, 0x8e2b5c7d1f3a9e42ULL};
constexpr napi_type_tag kContextTag = {0x4d7e2a9c1b3f5e06ULL, 0xa1c3e5f7092b4d68ULL};

// The constructors are reachable from JS only through the binding's functions: a construction
// without this marker (someone calling `new` on the class) is refused.
int constructionMarker = 0;

Napi::External<void> Marker(Napi::Env env) { return Napi::External<void>::New(env, &constructionMarker); }

bool HasMarker(const Napi::CallbackInfo& info, void** payload) {
  if (info.Length() < 2 || !info[0].IsExternal() || !info[1].IsExternal()) return false;
  if (info[0].As<Napi::External<void>>().Data() != &constructionMarker) return false;
  *payload = info[1].As<Napi::External<void>>().Data();
  return true;
}

template <typename T>
T* Unwrapped(const Napi::Value& value, const napi_type_tag& tag, const char* name, const char* kind) {
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(&tag)) {
    throw TypeErrorWithCode(value.Env(), std::string("The \"") + name + "\" argument must be a " + kind);
  }
  return Napi::ObjectWrap<T>::Unwrap(value.As<Napi::Object>());
}

}  // namespace

Napi::Function CredentialObject::Define(Napi::Env env) {
  return DefineClass(env, "CredentialsHandleNative",
                     {InstanceMethod<&CredentialObject::Dispose>("dispose"),
                      InstanceMethod<&CredentialObject::Share>("share"),
                      InstanceAccessor<&CredentialObject::IsDisposed>("disposed")});
}

CredentialObject::CredentialObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CredentialObject>(info) {
  void* payload = nullptr;
  if (!HasMarker(info, &payload)) {
    throw TypeErrorWithCode(info.Env(), "Illegal constructor: use acquireCredentialsHandle()", "ERR_ILLEGAL_CONSTRUCTOR");
  }
  credential_ = *static_cast<std::shared_ptr<sspi::Credential>*>(payload);
  info.This().As<Napi::Object>().TypeTag(&kCredentialTag);
}

Napi::Object CredentialObject::Wrap(Napi::Env env, std::shared_ptr<sspi::Credential> credential) {
  auto* data = env.GetInstanceData<AddonData>();
  return data->credentialConstructor.New({Marker(env), Napi::External<void>::New(env, &credential)});
}

std::shared_ptr<sspi::Credential> CredentialObject::From(const Napi::Value& value, const char* name) {
  return Unwrapped<CredentialObject>(value, kCredentialTag, name, "CredentialsHandle")->credential_;
}

Napi::Value CredentialObject::Dispose(const Napi::CallbackInfo& info) {
  // Contexts made from this credential keep their own reference; FreeCredentialsHandle runs
  // when the last of them is gone.
  credential_.reset();
  return info.Env().Undefined();
}

// Another owner of the same credential, disposed independently (null once this one is disposed).
Napi::Value CredentialObject::Share(const Napi::CallbackInfo& info) {
  if (!credential_) return info.Env().Null();
  return Wrap(info.Env(), credential_);
}

Napi::Value CredentialObject::IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), credential_ == nullptr);
}

Napi::Function ContextObject::Define(Napi::Env env) {
  return DefineClass(env, "SecurityContextNative", {InstanceAccessor<&ContextObject::IsDeleted>("deleted")});
}

ContextObject::ContextObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ContextObject>(info) {
  void* payload = nullptr;
  if (!HasMarker(info, &payload)) {
    throw TypeErrorWithCode(info.Env(), "Illegal constructor: contexts come from initializeSecurityContext()",
                            "ERR_ILLEGAL_CONSTRUCTOR");
  }
  context_ = *static_cast<std::shared_ptr<sspi::SecurityContext>*>(payload);
  info.This().As<Napi::Object>().TypeTag(&kContextTag);
}

Napi::Object ContextObject::Wrap(Napi::Env env, std::shared_ptr<sspi::SecurityContext> context) {
  auto* data = env.GetInstanceData<AddonData>();
  return data->contextConstructor.New({Marker(env), Napi::External<void>::New(env, &context)});
}

std::shared_ptr<sspi::SecurityContext> ContextObject::SharedFrom(const Napi::Value& value, const char* name) {
  return Unwrapped<ContextObject>(value, kContextTag, name, "SecurityContext")->context_;
}

sspi::SecurityContext& ContextObject::From(const Napi::Value& value, const char* name) {
  return *SharedFrom(value, name);
}

Napi::Value ContextObject::IsDeleted(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !context_->valid());
}

}  // namespace binding
