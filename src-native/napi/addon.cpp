// Module entry: registers the wrapper classes and the exported functions for one environment.
#include <napi.h>

#include "../sspi/credential.h"
#include "../sspi/live_counters.h"
#include "../sspi/status_text.h"
#include "bindings.h"
#include "handle_objects.h"
#include "marshal.h"

namespace binding {

namespace {

Napi::Value StatusText(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), sspi::SystemMessage(ToUint32(info[0], "status")));
}

// Live native handles, for tests that prove nothing is leaked.
Napi::Value DebugStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sspi::LiveCounters& live = sspi::Live();
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("credentials", Napi::Number::New(env, static_cast<double>(live.credentials.load())));
  stats.Set("contexts", Napi::Number::New(env, static_cast<double>(live.contexts.load())));
  stats.Set("certStores", Napi::Number::New(env, static_cast<double>(live.certStores.load())));
  stats.Set("certContexts", Napi::Number::New(env, static_cast<double>(live.certContexts.load())));
  stats.Set("contextBuffers", Napi::Number::New(env, static_cast<double>(live.contextBuffers.load())));
  stats.Set("chainContexts", Napi::Number::New(env, static_cast<double>(live.chainContexts.load())));
  stats.Set("chainEngines", Napi::Number::New(env, static_cast<double>(live.chainEngines.load())));
  return stats;
}

Napi::Value SystemInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("supportsSchCredentials", Napi::Boolean::New(env, sspi::SystemSupportsSchCredentials()));
  result.Set("schCredentialsIgnoresProtocols", Napi::Boolean::New(env, sspi::SchCredentialsIgnoresProtocols()));
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);  // deleted by Node-API when this environment ends
  data->credentialConstructor = Napi::Persistent(CredentialObject::Define(env));
  data->contextConstructor = Napi::Persistent(ContextObject::Define(env));

  exports.Set("acquireCredentialsHandle", Napi::Function::New(env, AcquireCredentialsHandle));
  exports.Set("handshake", Napi::Function::New(env, Handshake));
  exports.Set("completeAuthToken", Napi::Function::New(env, CompleteAuthToken));
  exports.Set("applyControlToken", Napi::Function::New(env, ApplyControlToken));
  exports.Set("deleteSecurityContext", Napi::Function::New(env, DeleteSecurityContext));
  exports.Set("messageResults", CreateMessageResults(env, data));
  exports.Set("encryptInto", Napi::Function::New(env, EncryptInto));
  exports.Set("decryptInPlace", Napi::Function::New(env, DecryptInPlace));
  exports.Set("decryptMessage", Napi::Function::New(env, DecryptMessage));
  exports.Set("queryContextAttributes", Napi::Function::New(env, QueryContextAttributes));
  exports.Set("statusText", Napi::Function::New(env, StatusText));
  exports.Set("debugStats", Napi::Function::New(env, DebugStats));
  exports.Set("systemInfo", Napi::Function::New(env, SystemInfo));
  exports.Set("verifyCertificateChain", Napi::Function::New(env, VerifyCertificateChain));
  exports.Set("verifyCertificateChainSync", Napi::Function::New(env, VerifyCertificateChainSync));
  exports.Set("storeList", Napi::Function::New(env, StoreList));
  exports.Set("storeAdd", Napi::Function::New(env, StoreAdd));
  exports.Set("storeRemove", Napi::Function::New(env, StoreRemove));
  exports.Set("pfxRead", Napi::Function::New(env, PfxRead));
  RegisterBenchBindings(env, exports);
  return exports;
}

}  // namespace

}  // namespace binding

// NODE_API_MODULE pastes the function's name into an identifier, so it cannot be qualified.
static Napi::Object InitSchannel(Napi::Env env, Napi::Object exports) { return binding::Init(env, exports); }

NODE_API_MODULE(schannel, InitSchannel)
