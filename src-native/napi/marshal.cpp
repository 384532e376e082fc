#include "marshal.h"

#include <cmath>
#include <limits>

namespace binding {

Napi::Error TypeErrorWithCode(Napi::Env env, const std::string& message, const char* code) {
  Napi::Error error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

uint32_t ToUint32(const Napi::Value& value, const char* name) {
  if (!value.IsNumber()) {
    throw TypeErrorWithCode(value.Env(), std::string("The \"") + name + "\" argument must be of type number");
  }
  double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0 && number <= 4294967295.0) || std::floor(number) != number) {
    Napi::Error error = Napi::RangeError::New(value.Env(), std::string("The value of \"") + name +
                                                               "\" is out of range. It must be an unsigned 32-bit integer");
    error.Set("code", Napi::String::New(value.Env(), "ERR_OUT_OF_RANGE"));
    throw error;
  }
  return static_cast<uint32_t>(number);
}

std::wstring ToWide(const Napi::Value& value, const char* name) {
  if (!value.IsString()) {
    throw TypeErrorWithCode(value.Env(), std::string("The \"") + name + "\" argument must be of type string");
  }
  std::u16string text = value.As<Napi::String>().Utf16Value();
  return std::wstring(text.begin(), text.end());
}

std::pair<const uint8_t*, size_t> BytesView(const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw TypeErrorWithCode(value.Env(), std::string("The \"") + name + "\" argument must be an instance of Buffer or Uint8Array");
  }
  auto array = value.As<Napi::Uint8Array>();
  return {array.Data(), array.ByteLength()};
}

sspi::Bytes ToBytes(const Napi::Value& value, const char* name) {
  auto [data, length] = BytesView(value, name);
  return sspi::Bytes(data, data + length);
}

std::vector<sspi::InputBuffer> ToInputBuffers(const Napi::Value& value, const char* name) {
  std::vector<sspi::InputBuffer> buffers;
  if (!value.IsArray()) {
    throw TypeErrorWithCode(value.Env(), std::string("The \"") + name + "\" argument must be an instance of Array");
  }
  auto array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsObject()) throw TypeErrorWithCode(value.Env(), std::string("Each \"") + name + "\" entry must be an object");
    auto object = item.As<Napi::Object>();
    sspi::InputBuffer buffer;
    buffer.type = ToUint32(object.Get("type"), "type");
    Napi::Value data = object.Get("data");
    if (!data.IsUndefined() && !data.IsNull()) buffer.data = ToBytes(data, "data");
    buffers.push_back(std::move(buffer));
  }
  return buffers;
}

std::vector<sspi::OutputSpec> ToOutputSpecs(const Napi::Value& value, const char* name) {
  std::vector<sspi::OutputSpec> specs;
  if (!value.IsArray()) {
    throw TypeErrorWithCode(value.Env(), std::string("The \"") + name + "\" argument must be an instance of Array");
  }
  auto array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsObject()) throw TypeErrorWithCode(value.Env(), std::string("Each \"") + name + "\" entry must be an object");
    auto object = item.As<Napi::Object>();
    sspi::OutputSpec spec;
    spec.type = ToUint32(object.Get("type"), "type");
    Napi::Value size = object.Get("size");
    if (!size.IsUndefined()) spec.size = ToUint32(size, "size");
    specs.push_back(spec);
  }
  return specs;
}

Napi::Buffer<uint8_t> ToBuffer(Napi::Env env, const sspi::Bytes& bytes) {
  return Napi::Buffer<uint8_t>::Copy(env, bytes.data(), bytes.size());
}

Napi::Array ToBufferArray(Napi::Env env, const std::vector<sspi::Bytes>& list) {
  Napi::Array array = Napi::Array::New(env, list.size());
  for (uint32_t i = 0; i < list.size(); ++i) array.Set(i, ToBuffer(env, list[i]));
  return array;
}

Napi::Array ToBufferResults(Napi::Env env, const std::vector<sspi::BufferResult>& list) {
  Napi::Array array = Napi::Array::New(env, list.size());
  for (uint32_t i = 0; i < list.size(); ++i) {
    Napi::Object item = Napi::Object::New(env);
    item.Set("type", Napi::Number::New(env, list[i].type));
    item.Set("size", Napi::Number::New(env, list[i].size));
    item.Set("data", list[i].hasData ? Napi::Value(ToBuffer(env, list[i].data)) : env.Null());
    array.Set(i, item);
  }
  return array;
}

Napi::Value ExpiryToJs(Napi::Env env, int64_t timestamp) {
  // 0x7FFFFFFFFFFFFFFF (and Schannel's 0x7FFFFFFFFFFFFF variants) mean "never"; 0 means unknown.
  constexpr int64_t kEpochDifference = 116444736000000000LL;  // 1601-01-01 to 1970-01-01 in 100 ns
  constexpr int64_t kLatestDate = 8640000000000000LL;          // largest Date in milliseconds
  if (timestamp <= 0) return env.Null();
  int64_t milliseconds = (timestamp - kEpochDifference) / 10000;
  if (milliseconds > kLatestDate || timestamp >= 0x7FFFFFFFFFFF0000LL) return env.Null();
  return Napi::Number::New(env, static_cast<double>(milliseconds));
}

}  // namespace binding
