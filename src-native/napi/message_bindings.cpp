// encryptMessage / decryptMessage over an established context.
#include "../sspi/stream.h"
#include "bindings.h"
#include "handle_objects.h"
#include "marshal.h"

namespace binding {

// encryptMessage(context, data) -> { status, data: Buffer | null, length }: the records are written
// straight into a JS-owned Buffer (one copy of the plaintext in all); `length` bytes of it are used.
Napi::Value EncryptMessage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sspi::SecurityContext& context = ContextObject::From(info[0], "context");
  auto [data, length] = BytesView(info[1], "data");
  Napi::Object result = Napi::Object::New(env);
  sspi::Status status = 0;
  size_t bound = sspi::EncryptedSizeBound(context, length, &status);
  size_t written = 0;
  Napi::Value records = env.Null();
  if (status == 0) {
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, bound);
    // The input view stays valid: allocating a Buffer does not run JS.
    status = sspi::EncryptRecords(context, data, length, out.Data(), &written);
    if (status == 0) records = out;
  }
  result.Set("status", Napi::Number::New(env, status));
  result.Set("data", records);
  result.Set("length", Napi::Number::New(env, static_cast<double>(written)));
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

// decryptRecords(context, data) -> { status, data, records, consumed, missing, closeNotify,
//                                   wineCloseNotify, renegotiate, postHandshake }
Napi::Value DecryptRecords(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sspi::SecurityContext& context = ContextObject::From(info[0], "context");
  auto [data, length] = BytesView(info[1], "data");
  // In place in the caller's buffer when it says that is allowed (inPlace true); else in one
  // JS-owned copy. Either way its first `length` bytes end up as the plaintext.
  const bool inPlace = info.Length() > 2 && info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
  Napi::Value work = inPlace ? info[1] : Napi::Value(Napi::Buffer<uint8_t>::Copy(env, data, length));
  uint8_t* bytes = inPlace ? const_cast<uint8_t*>(data) : work.As<Napi::Buffer<uint8_t>>().Data();
  sspi::DecryptBatchResult batch = sspi::DecryptRecords(context, bytes, length);
  Napi::Object result = Napi::Object::New(env);
  result.Set("status", Napi::Number::New(env, batch.status));
  result.Set("data", work);
  result.Set("length", Napi::Number::New(env, static_cast<double>(batch.plaintext)));
  result.Set("records", Napi::Number::New(env, static_cast<double>(batch.records)));
  result.Set("consumed", Napi::Number::New(env, static_cast<double>(batch.consumed)));
  result.Set("missing", batch.hasMissing ? Napi::Value(Napi::Number::New(env, batch.missing)) : env.Null());
  result.Set("closeNotify", Napi::Boolean::New(env, batch.closeNotify));
  result.Set("wineCloseNotify", Napi::Boolean::New(env, batch.wineCloseNotify));
  result.Set("renegotiate", Napi::Boolean::New(env, batch.renegotiate));
  result.Set("postHandshake", batch.renegotiate ? Napi::Value(ToBuffer(env, batch.postHandshake)) : env.Null());
  return result;
}

}  // namespace binding
