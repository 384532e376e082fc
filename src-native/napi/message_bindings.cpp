// encryptInto / decryptInPlace / decryptMessage over an established context.
//
// The record calls run once per write and once per read, so they allocate nothing: the caller
// brings the memory (records are encrypted into its buffer, received records are decrypted in
// place in theirs) and the numbers each call produces go into one Float64Array shared with JS
// (`messageResults`), with the status as the return value. A result object of ten properties per
// call cost more than DecryptMessage itself on small records.
#include "../sspi/stream.h"
#include "bindings.h"
#include "handle_objects.h"
#include "marshal.h"

namespace binding {

namespace {

double* Slots(Napi::Env env) { return env.GetInstanceData<AddonData>()->messageSlots; }

// A writable view of a Uint8Array's bytes.
std::pair<uint8_t*, size_t> MutableBytesView(const Napi::Value& value, const char* name) {
  auto [data, length] = BytesView(value, name);
  return {const_cast<uint8_t*>(data), length};
}

bool Overlaps(const uint8_t* a, size_t aLength, const uint8_t* b, size_t bLength) {
  return aLength > 0 && bLength > 0 && a < b + bLength && b < a + aLength;
}

}  // namespace

Napi::Float64Array CreateMessageResults(Napi::Env env, AddonData* data) {
  Napi::Float64Array slots = Napi::Float64Array::New(env, kMessageSlotCount);
  data->messageResults = Napi::Persistent(slots);
  // The array stays referenced for the environment's life, so its backing store stays put.
  data->messageSlots = slots.Data();
  return slots;
}

// encryptInto(context, data, out, offset) -> status; slots: written, needed.
// Records for `data` are written into `out` from `offset`. With less room than the bound the
// status is SEC_E_BUFFER_TOO_SMALL and `needed` says how much to bring.
Napi::Value EncryptInto(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sspi::SecurityContext& context = ContextObject::From(info[0], "context");
  auto [data, length] = BytesView(info[1], "data");
  auto [out, outLength] = MutableBytesView(info[2], "out");
  const uint32_t offset = ToUint32(info[3], "offset");
  double* slots = Slots(env);
  slots[kSlotWritten] = 0;
  slots[kSlotNeeded] = 0;
  sspi::Status status = 0;
  const size_t bound = sspi::EncryptedSizeBound(context, length, &status);
  slots[kSlotNeeded] = static_cast<double>(bound);
  if (status != 0) return Napi::Number::New(env, status);
  if (offset > outLength || outLength - offset < bound) return Napi::Number::New(env, sspi::ToStatus(SEC_E_BUFFER_TOO_SMALL));
  // Plaintext is copied into the record area before encryption; the two must not share bytes.
  if (Overlaps(data, length, out + offset, bound)) return Napi::Number::New(env, sspi::ToStatus(SEC_E_INVALID_PARAMETER));
  size_t written = 0;
  status = sspi::EncryptRecords(context, data, length, out + offset, &written);
  slots[kSlotWritten] = static_cast<double>(written);
  return Napi::Number::New(env, status);
}

// decryptInPlace(context, data) -> status; slots: plaintext, records, consumed, missing (-1 for
// none), flags (kFlag*), postHandshake. `data` ends up as [plaintext | post-handshake | ...].
Napi::Value DecryptInPlace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sspi::SecurityContext& context = ContextObject::From(info[0], "context");
  auto [bytes, length] = MutableBytesView(info[1], "data");
  sspi::DecryptBatchResult batch = sspi::DecryptRecords(context, bytes, length);
  double* slots = Slots(env);
  slots[kSlotPlaintext] = static_cast<double>(batch.plaintext);
  slots[kSlotRecords] = static_cast<double>(batch.records);
  slots[kSlotConsumed] = static_cast<double>(batch.consumed);
  slots[kSlotMissing] = batch.hasMissing ? static_cast<double>(batch.missing) : -1;
  slots[kSlotFlags] = (batch.closeNotify ? kFlagCloseNotify : 0) | (batch.wineCloseNotify ? kFlagWineCloseNotify : 0) |
                      (batch.renegotiate ? kFlagRenegotiate : 0);
  slots[kSlotPostHandshake] = static_cast<double>(batch.postHandshake);
  return Napi::Number::New(env, batch.status);
}

// decryptMessage(context, data) -> { status, data, extra, missing, consumed }: one DecryptMessage
// call for the 1:1 API, on a copy of the input.
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
