// The functions the addon exports; each file defines one group.
#pragma once
#include <napi.h>

namespace sspi {
struct CredentialCertificate;
}

namespace binding {

// handshake_bindings.cpp
Napi::Value AcquireCredentialsHandle(const Napi::CallbackInfo& info);
Napi::Value Handshake(const Napi::CallbackInfo& info);
Napi::Value CompleteAuthToken(const Napi::CallbackInfo& info);
Napi::Value ApplyControlToken(const Napi::CallbackInfo& info);
Napi::Value DeleteSecurityContext(const Napi::CallbackInfo& info);

// message_bindings.cpp
struct AddonData;
Napi::Float64Array CreateMessageResults(Napi::Env env, AddonData* data);
Napi::Value EncryptInto(const Napi::CallbackInfo& info);
Napi::Value DecryptInPlace(const Napi::CallbackInfo& info);
Napi::Value DecryptMessage(const Napi::CallbackInfo& info);

// attribute_bindings.cpp
Napi::Value QueryContextAttributes(const Napi::CallbackInfo& info);

// verify_bindings.cpp: certificate chain verification (crypt32 chain engine + SSL policy)
Napi::Value VerifyCertificateChain(const Napi::CallbackInfo& info);
Napi::Value VerifyCertificateChainSync(const Napi::CallbackInfo& info);

// store_bindings.cpp: system certificate stores (list/find, add, remove) and reading a PFX
Napi::Value StoreList(const Napi::CallbackInfo& info);
Napi::Value StoreAdd(const Napi::CallbackInfo& info);
Napi::Value StoreRemove(const Napi::CallbackInfo& info);
Napi::Value PfxRead(const Napi::CallbackInfo& info);
// For acquireCredentialsHandle's `certificate: { location, store, find }`: the store certificate, and
// the result object to return when it was not found, was ambiguous or has no private key.
sspi::CredentialCertificate StoreCertificateFor(const Napi::Value& value);
Napi::Object StoreCertificateFailure(Napi::Env env, const sspi::CredentialCertificate& lookup);

// bench_bindings.cpp: the native record loop of `npm run bench` (benchRecordLoop)
void RegisterBenchBindings(Napi::Env env, Napi::Object exports);

}  // namespace binding
