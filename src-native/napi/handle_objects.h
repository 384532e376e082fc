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
  // The numeric results of the record calls (message_bindings.cpp), shared with JS.
  Napi::Reference<Napi::Float64Array> messageResults;
  double* messageSlots = nullptr;
};

// Slots of messageResults. lib/sspi/messages.ts reads them by the same numbers.
enum MessageSlot : size_t {
  kSlotWritten = 0,        // encryptInto: bytes written
  kSlotNeeded = 1,         // encryptInto: bytes of room the records may need
  kSlotPlaintext = 2,      // decryptInPlace: plaintext bytes at the front of the buffer
  kSlotRecords = 3,        // decryptInPlace: records decrypted
  kSlotConsumed = 4,       // decryptInPlace: input bytes used
  kSlotMissing = 5,        // decryptInPlace: bytes still needed, or -1
  kSlotFlags = 6,          // decryptInPlace: kFlag* bits
  kSlotPostHandshake = 7,  // decryptInPlace: bytes of the post-handshake message after the plaintext
  kMessageSlotCount = 8,
};
enum MessageFlag : int { kFlagCloseNotify = 1, kFlagWineCloseNotify = 2, kFlagRenegotiate = 4 };

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
