// Conversions between JS values and the plain types of src-native/sspi. Argument types are checked
// in TypeScript first; these checks are the last line, so a wrong value is a TypeError, not a crash.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "../sspi/sec_buffers.h"

namespace binding {

// A TypeError carrying Node's code, e.g. ERR_INVALID_ARG_TYPE.
Napi::Error TypeErrorWithCode(Napi::Env env, const std::string& message, const char* code = "ERR_INVALID_ARG_TYPE");

uint32_t ToUint32(const Napi::Value& value, const char* name);
std::wstring ToWide(const Napi::Value& value, const char* name);
sspi::Bytes ToBytes(const Napi::Value& value, const char* name);
// A view of a Uint8Array's bytes, valid while the value is alive.
std::pair<const uint8_t*, size_t> BytesView(const Napi::Value& value, const char* name);

// [{ type, data }] -> input SecBuffers; [{ type, size }] -> output buffer specs.
std::vector<sspi::InputBuffer> ToInputBuffers(const Napi::Value& value, const char* name);
std::vector<sspi::OutputSpec> ToOutputSpecs(const Napi::Value& value, const char* name);

Napi::Buffer<uint8_t> ToBuffer(Napi::Env env, const sspi::Bytes& bytes);
Napi::Array ToBufferArray(Napi::Env env, const std::vector<sspi::Bytes>& list);
Napi::Array ToBufferResults(Napi::Env env, const std::vector<sspi::BufferResult>& list);
// TimeStamp (100 ns since 1601) to milliseconds since 1970, or null for "never" and zero.
Napi::Value ExpiryToJs(Napi::Env env, int64_t timestamp);

}  // namespace binding
