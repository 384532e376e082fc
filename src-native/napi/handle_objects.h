// The JS objects that own SSPI handles. JS never sees a handle value: only these wrappers, each
// type-tagged so that passing one where the other belongs is a TypeError rather than a crash.
#pragma once
#include <napi.h>

#include <memory>

#include "../sspi/security_context.h"

namespace binding {

// Per-environment state (each worker thread has its own constructors).
struct AddonData {
  Napi::FunctionReference credentialConstructor;
  Napi::FunctionReference contextConstructor;
};

class CredentialObject : public Napi::ObjectWrap<CredentialObject> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, std::shared_ptr<sspi::Credential> credential);
  // The credential behind a JS value; null (no throw) when it has been disposed.
  static std::shared_ptr<sspi::Credential> From(const Napi::Value& value, const char* name);

  explicit CredentialObject(const Napi::CallbackInfo& info);

 private:
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value Share(const Napi::CallbackInfo& info);
  std::shared_ptr<sspi::Credential> credential_;
};

class ContextObject : public Napi::ObjectWrap<ContextObject> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, std::shared_ptr<sspi::SecurityContext> context);
  static sspi::SecurityContext& From(const Napi::Value& value, const char* name);
  static std::shared_ptr<sspi::SecurityContext> SharedFrom(const Napi::Value& value, const char* name);

  explicit ContextObject(const Napi::CallbackInfo& info);
  std::shared_ptr<sspi::SecurityContext> context() const { return context_; }

 private:
  Napi::Value IsDeleted(const Napi::CallbackInfo& info);
  std::shared_ptr<sspi::SecurityContext> context_;
};

}  // namespace binding
