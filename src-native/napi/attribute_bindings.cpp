// queryContextAttributes(context, attribute) -> { status, value }: one typed object per attribute.
#include "../sspi/context_attributes.h"
#include "bindings.h"
#include "handle_objects.h"
#include "marshal.h"

namespace binding {

namespace {

Napi::Value StreamSizes(Napi::Env env, sspi::SecurityContext& context, sspi::Status* status) {
  sspi::StreamSizesInfo info{};
  *status = sspi::QueryStreamSizes(context, &info);
  Napi::Object value = Napi::Object::New(env);
  value.Set("header", info.header);
  value.Set("trailer", info.trailer);
  value.Set("maximumMessage", info.maximumMessage);
  value.Set("buffers", info.buffers);
  value.Set("blockSize", info.blockSize);
  return value;
}

Napi::Value Connection(Napi::Env env, sspi::SecurityContext& context, sspi::Status* status) {
  sspi::ConnectionInfo info{};
  *status = sspi::QueryConnectionInfo(context, &info);
  Napi::Object value = Napi::Object::New(env);
  value.Set("protocol", info.protocol);
  value.Set("cipher", info.cipher);
  value.Set("cipherStrength", info.cipherStrength);
  value.Set("hash", info.hash);
  value.Set("hashStrength", info.hashStrength);
  value.Set("exchange", info.exchange);
  value.Set("exchangeStrength", info.exchangeStrength);
  return value;
}

Napi::Value Cipher(Napi::Env env, sspi::SecurityContext& context, sspi::Status* status) {
  sspi::CipherInfo info{};
  *status = sspi::QueryCipherInfo(context, &info);
  Napi::Object value = Napi::Object::New(env);
  value.Set("version", info.version);
  value.Set("protocol", info.protocol);
  value.Set("cipherSuite", info.cipherSuite);
  value.Set("baseCipherSuite", info.baseCipherSuite);
  value.Set("cipherSuiteName", info.cipherSuiteName);
  value.Set("cipher", info.cipher);
  value.Set("cipherLength", info.cipherLength);
  value.Set("cipherBlockLength", info.cipherBlockLength);
  value.Set("hash", info.hash);
  value.Set("hashLength", info.hashLength);
  value.Set("exchange", info.exchange);
  value.Set("minExchangeLength", info.minExchangeLength);
  value.Set("maxExchangeLength", info.maxExchangeLength);
  value.Set("certificate", info.certificate);
  value.Set("keyType", info.keyType);
  return value;
}

Napi::Value Key(Napi::Env env, sspi::SecurityContext& context, sspi::Status* status) {
  sspi::KeyInfo info{};
  *status = sspi::QueryKeyInfo(context, &info);
  Napi::Object value = Napi::Object::New(env);
  value.Set("signatureAlgorithmName", info.signatureAlgorithmName);
  value.Set("encryptAlgorithmName", info.encryptAlgorithmName);
  value.Set("keySize", info.keySize);
  value.Set("signatureAlgorithm", info.signatureAlgorithm);
  value.Set("encryptAlgorithm", info.encryptAlgorithm);
  return value;
}

Napi::Value ApplicationProtocol(Napi::Env env, sspi::SecurityContext& context, sspi::Status* status) {
  sspi::ApplicationProtocolInfo info{};
  *status = sspi::QueryApplicationProtocol(context, &info);
  Napi::Object value = Napi::Object::New(env);
  value.Set("negotiationStatus", info.negotiationStatus);
  value.Set("negotiationExtension", info.negotiationExtension);
  value.Set("protocolId", ToBuffer(env, info.protocolId));
  return value;
}

Napi::Value Session(Napi::Env env, sspi::SecurityContext& context, sspi::Status* status) {
  sspi::SessionInfo info{};
  *status = sspi::QuerySessionInfo(context, &info);
  Napi::Object value = Napi::Object::New(env);
  value.Set("flags", info.flags);
  value.Set("sessionId", ToBuffer(env, info.sessionId));
  return value;
}

Napi::Value Chain(Napi::Env env, sspi::SecurityContext& context, bool remote, sspi::Status* status) {
  std::vector<sspi::Bytes> chain;
  *status = sspi::QueryCertificateChain(context, remote, &chain);
  return ToBufferArray(env, chain);
}

Napi::Value Issuers(Napi::Env env, sspi::SecurityContext& context, sspi::Status* status) {
  std::vector<sspi::Bytes> issuers;
  *status = sspi::QueryIssuerList(context, &issuers);
  return ToBufferArray(env, issuers);
}

Napi::Value Bindings(Napi::Env env, sspi::SecurityContext& context, unsigned long attribute, sspi::Status* status) {
  sspi::ChannelBindings bindings;
  *status = sspi::QueryBindings(context, attribute, &bindings);
  Napi::Object value = Napi::Object::New(env);
  value.Set("raw", ToBuffer(env, bindings.raw));
  value.Set("applicationData", ToBuffer(env, bindings.applicationData));
  return value;
}

}  // namespace

Napi::Value QueryContextAttributes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sspi::SecurityContext& context = ContextObject::From(info[0], "context");
  uint32_t attribute = ToUint32(info[1], "attribute");
  sspi::Status status = 0;
  Napi::Value value;
  switch (attribute) {
    case SECPKG_ATTR_STREAM_SIZES: value = StreamSizes(env, context, &status); break;
    case SECPKG_ATTR_CONNECTION_INFO: value = Connection(env, context, &status); break;
    case SECPKG_ATTR_CIPHER_INFO: value = Cipher(env, context, &status); break;
    case SECPKG_ATTR_KEY_INFO: value = Key(env, context, &status); break;
    case SECPKG_ATTR_APPLICATION_PROTOCOL: value = ApplicationProtocol(env, context, &status); break;
    case SECPKG_ATTR_SESSION_INFO: value = Session(env, context, &status); break;
    case SECPKG_ATTR_REMOTE_CERT_CONTEXT: value = Chain(env, context, true, &status); break;
    case SECPKG_ATTR_LOCAL_CERT_CONTEXT: value = Chain(env, context, false, &status); break;
    case SECPKG_ATTR_ISSUER_LIST_EX: value = Issuers(env, context, &status); break;
    case SECPKG_ATTR_ENDPOINT_BINDINGS:
    case SECPKG_ATTR_UNIQUE_BINDINGS: value = Bindings(env, context, attribute, &status); break;
    default:
      throw TypeErrorWithCode(env, "The attribute " + std::to_string(attribute) + " is not supported by queryContextAttributes",
                              "ERR_INVALID_ARG_VALUE");
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("status", Napi::Number::New(env, status));
  result.Set("value", status == 0 ? value : env.Null());
  return result;
}

}  // namespace binding
