// verifyCertificateChain (thread pool, Promise) and verifyCertificateChainSync. The request is
// copied into plain C++ values on the main thread; the worker touches nothing of JS.
#include <cmath>
#include <exception>

#include "../sspi/chain_verify.h"
#include "bindings.h"
#include "marshal.h"

namespace binding {

namespace {

bool Present(const Napi::Object& object, const char* key) {
  if (!object.Has(key)) return false;
  Napi::Value value = object.Get(key);
  return !value.IsUndefined() && !value.IsNull();
}

std::vector<sspi::Bytes> ToBytesList(const Napi::Value& value, const char* name) {
  if (!value.IsArray()) {
    throw TypeErrorWithCode(value.Env(), std::string("The \"") + name + "\" argument must be an instance of Array");
  }
  auto array = value.As<Napi::Array>();
  std::vector<sspi::Bytes> list;
  list.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) list.push_back(ToBytes(array.Get(i), name));
  return list;
}

// { chain: Uint8Array[], hostName?: string, hostAddress?: Uint8Array, role: 0 server | 1 client,
//   roots?: Uint8Array[], revocation: 0 off | 1 best-effort | 2 strict, time?: ms since 1970 }
sspi::VerifyRequest ToRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw TypeErrorWithCode(env, "The \"request\" argument must be of type object");
  auto object = info[0].As<Napi::Object>();
  sspi::VerifyRequest request;
  request.chain = ToBytesList(object.Get("chain"), "chain");
  if (request.chain.empty()) throw TypeErrorWithCode(env, "The \"chain\" argument must not be empty", "ERR_INVALID_ARG_VALUE");
  if (Present(object, "hostName")) request.hostName = ToWide(object.Get("hostName"), "hostName");
  if (Present(object, "hostAddress")) {
    request.hostAddress = ToBytes(object.Get("hostAddress"), "hostAddress");
    if (request.hostAddress.size() != 4 && request.hostAddress.size() != 16) {
      throw TypeErrorWithCode(env, "The \"hostAddress\" argument must hold 4 or 16 bytes", "ERR_INVALID_ARG_VALUE");
    }
  }
  request.role = ToUint32(object.Get("role"), "role") == 1 ? sspi::VerifyRole::Client : sspi::VerifyRole::Server;
  if (Present(object, "roots")) {
    request.hasCallerRoots = true;
    request.callerRoots = ToBytesList(object.Get("roots"), "roots");
  }
  uint32_t revocation = ToUint32(object.Get("revocation"), "revocation");
  request.revocation = revocation == 0   ? sspi::RevocationMode::Off
                       : revocation == 2 ? sspi::RevocationMode::Strict
                                         : sspi::RevocationMode::BestEffort;
  if (Present(object, "time")) {
    Napi::Value time = object.Get("time");
    if (!time.IsNumber()) throw TypeErrorWithCode(env, "The \"time\" argument must be of type number");
    // Milliseconds since 1970 (Date#getTime) to FILETIME units: 100 ns since 1601.
    double ms = std::floor(time.As<Napi::Number>().DoubleValue());
    constexpr double kEpochDifferenceMs = 11644473600000.0;
    if (!(ms >= -kEpochDifferenceMs && ms <= 8.64e15)) {
      throw TypeErrorWithCode(env, "The \"time\" argument is out of range", "ERR_OUT_OF_RANGE");
    }
    request.hasTime = true;
    request.time = (static_cast<int64_t>(ms) + static_cast<int64_t>(kEpochDifferenceMs)) * 10000;
  }
  return request;
}

const char* EngineName(sspi::EngineKind kind) {
  switch (kind) {
    case sspi::EngineKind::ExclusiveRoot:
      return "exclusive-root";
    case sspi::EngineKind::AdditionalStore:
      return "additional-store";
    case sspi::EngineKind::Default:
      break;
  }
  return "default";
}

Napi::Object ToJs(Napi::Env env, const sspi::VerifyResult& result) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("status", Napi::Number::New(env, result.status));
  if (result.status != 0) {
    out.Set("failedFunction", Napi::String::New(env, result.failedFunction != nullptr ? result.failedFunction : ""));
    out.Set("failedIndex", Napi::Number::New(env, result.failedIndex));
    return out;
  }
  out.Set("engine", Napi::String::New(env, EngineName(result.engine)));
  out.Set("exclusiveEngineStatus", Napi::Number::New(env, result.exclusiveEngineStatus));
  out.Set("errorStatus", Napi::Number::New(env, result.errorStatus));
  out.Set("infoStatus", Napi::Number::New(env, result.infoStatus));
  out.Set("effectiveErrorStatus", Napi::Number::New(env, result.effectiveErrorStatus));
  out.Set("policyStatus", Napi::Number::New(env, result.policyStatus));
  out.Set("policyChainIndex", Napi::Number::New(env, result.policyChainIndex));
  out.Set("policyElementIndex", Napi::Number::New(env, result.policyElementIndex));
  out.Set("policyFlags", Napi::Number::New(env, result.policyFlags));
  out.Set("policyCheckedName", Napi::Boolean::New(env, result.policyCheckedName));
  out.Set("addressChecked", Napi::Boolean::New(env, result.addressChecked));
  out.Set("addressMatched", Napi::Boolean::New(env, result.addressMatched));
  out.Set("complete", Napi::Boolean::New(env, result.complete));
  out.Set("anchorIsCallerRoot", Napi::Boolean::New(env, result.anchorIsCallerRoot));
  Napi::Array elements = Napi::Array::New(env, result.chain.size());
  for (size_t i = 0; i < result.chain.size(); ++i) {
    const sspi::VerifiedElement& element = result.chain[i];
    Napi::Object item = Napi::Object::New(env);
    item.Set("der", ToBuffer(env, element.der));
    item.Set("errorStatus", Napi::Number::New(env, element.errorStatus));
    item.Set("infoStatus", Napi::Number::New(env, element.infoStatus));
    item.Set("timeValidity", Napi::Number::New(env, element.timeValidity));
    item.Set("presented", Napi::Boolean::New(env, element.presented));
    item.Set("callerRoot", Napi::Boolean::New(env, element.callerRoot));
    elements.Set(static_cast<uint32_t>(i), item);
  }
  out.Set("chain", elements);
  return out;
}

class VerifyWorker : public Napi::AsyncWorker {
 public:
  VerifyWorker(Napi::Env env, sspi::VerifyRequest request)
      : Napi::AsyncWorker(env, "schannel.verifyCertificateChain"),
        request_(std::move(request)),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      result_ = sspi::VerifyChain(request_);
    } catch (const std::exception& error) {
      SetError(error.what());
    }
  }
  void OnOK() override { deferred_.Resolve(ToJs(Env(), result_)); }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  sspi::VerifyRequest request_;
  sspi::VerifyResult result_;
  Napi::Promise::Deferred deferred_;
};

}  // namespace

Napi::Value VerifyCertificateChain(const Napi::CallbackInfo& info) {
  auto* worker = new VerifyWorker(info.Env(), ToRequest(info));
  Napi::Promise promise = worker->Promise();
  worker->Queue();  // deletes itself after OnOK/OnError
  return promise;
}

Napi::Value VerifyCertificateChainSync(const Napi::CallbackInfo& info) {
  return ToJs(info.Env(), sspi::VerifyChain(ToRequest(info)));
}


}  // namespace binding
