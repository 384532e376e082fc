// benchRecordLoop: the native record loop of the benchmark (npm run bench), over two established
// contexts. Synchronous on purpose: it measures Schannel with nothing else running.
#include "../sspi/bench_loop.h"
#include "bindings.h"
#include "handle_objects.h"
#include "marshal.h"

namespace binding {

namespace {

// benchRecordLoop(senderContext, receiverContext, totalBytes, chunkBytes)
//   -> { status, failedFunction, nanoseconds, encryptNanoseconds, decryptNanoseconds, bytes, records }
Napi::Value BenchRecordLoop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // Shared owners: the contexts stay alive for the whole loop whatever JS does meanwhile.
  std::shared_ptr<sspi::SecurityContext> sender = ContextObject::SharedFrom(info[0], "senderContext");
  std::shared_ptr<sspi::SecurityContext> receiver = ContextObject::SharedFrom(info[1], "receiverContext");
  uint32_t totalBytes = ToUint32(info[2], "totalBytes");
  uint32_t chunkBytes = ToUint32(info[3], "chunkBytes");
  if (chunkBytes == 0) {
    throw Napi::RangeError::New(env, "The value of \"chunkBytes\" is out of range. It must be >= 1. Received 0");
  }
  if (sender == receiver) {
    throw TypeErrorWithCode(env, "The \"receiverContext\" argument must be the sender's peer, not the sender itself", "ERR_INVALID_ARG_VALUE");
  }
  sspi::BenchResult loop = sspi::RecordLoop(*sender, *receiver, totalBytes, chunkBytes);
  Napi::Object result = Napi::Object::New(env);
  result.Set("status", Napi::Number::New(env, loop.status));
  result.Set("failedFunction", loop.failedFunction ? Napi::Value(Napi::String::New(env, loop.failedFunction)) : env.Null());
  result.Set("nanoseconds", Napi::Number::New(env, static_cast<double>(loop.nanoseconds)));
  result.Set("encryptNanoseconds", Napi::Number::New(env, static_cast<double>(loop.encryptNanoseconds)));
  result.Set("decryptNanoseconds", Napi::Number::New(env, static_cast<double>(loop.decryptNanoseconds)));
  result.Set("bytes", Napi::Number::New(env, static_cast<double>(loop.bytes)));
  result.Set("records", Napi::Number::New(env, static_cast<double>(loop.records)));
  return result;
}

}  // namespace

void RegisterBenchBindings(Napi::Env env, Napi::Object exports) {
  exports.Set("benchRecordLoop", Napi::Function::New(env, BenchRecordLoop));
}

}  // namespace binding
