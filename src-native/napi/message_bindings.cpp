// encryptMessage / decryptMessage over an established context.
#include "../sspi/stream.h"
#include "bindings.h"
#include "handle_objects.h"
#include "marshal.h"

namespace binding {

// encryptMessage(context, data) -> { status, data: Buffer | null }
Napi::Value EncryptMessage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sspi::SecurityContext& context = ContextObject::From(info[0], "context");
  auto [data, length] = BytesView(info[1], "data");
  sspi::EncryptResult encrypted = sspi::EncryptRecords(context, data, length);
  Napi::Object result = Napi::Object::New(env);
  result.Set("status", Napi::Number::New(env, encrypted.status));
  result.Set("data", encrypted.status == 0 ? Napi::Value(ToBuffer(env, encrypted.records)) : env.Null());
  return result;
}

// decryptMessage(context, data) -> { status, data, extra, missing, consumed }
Napi::Value DecryptMessage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sspi::SecurityContext& context = ContextObject::From(info[0], "context");
  auto [data, length] = BytesView(info[1], "data");
  sspi::DecryptResult decrypted = sspi::DecryptRecord(context, data, length);
  Napi::Object result = Napi::Object::New(env);
  result.Set("status", Napi::Number::New(env, decrypted.status));
  result.Set("data", ToBuffer(env, decrypted.data));
  result.Set("extra", decrypted.hasExtra ? Napi::Value(ToBuffer(env, decrypted.extra)) : env.Null());
  result.Set("missing", decrypted.hasMissing ? Napi::Value(Napi::Number::New(env, decrypted.missing)) : env.Null());
  result.Set("consumed", Napi::Number::New(env, decrypted.consumed));
  return result;
}

}  // namespace binding
