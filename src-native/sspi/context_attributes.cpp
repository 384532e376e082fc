#include "context_attributes.h"

#include "status_text.h"

namespace sspi {

namespace {

Status Query(SecurityContext& context, unsigned long attribute, void* out) {
  if (!context.valid()) return ToStatus(SEC_E_INVALID_HANDLE);
  return ToStatus(QueryContextAttributesW(context.handle(), attribute, out));
}

// Fixed-size WCHAR arrays in Schannel structs are NUL-terminated when shorter than the array.
std::string FixedWide(const WCHAR* text, size_t capacity) {
  size_t length = 0;
  while (length < capacity && text[length] != 0) ++length;
  return WideToUtf8(text, static_cast<int>(length));
}

}  // namespace

Status QueryStreamSizes(SecurityContext& context, StreamSizesInfo* out) {
  SecPkgContext_StreamSizes sizes{};
  Status status = Query(context, SECPKG_ATTR_STREAM_SIZES, &sizes);
  if (status == SEC_E_OK) {
    *out = {sizes.cbHeader, sizes.cbTrailer, sizes.cbMaximumMessage, sizes.cBuffers, sizes.cbBlockSize};
  }
  return status;
}

Status QueryConnectionInfo(SecurityContext& context, ConnectionInfo* out) {
  SecPkgContext_ConnectionInfo info{};
  Status status = Query(context, SECPKG_ATTR_CONNECTION_INFO, &info);
  if (status == SEC_E_OK) {
    *out = {info.dwProtocol, info.aiCipher,      info.dwCipherStrength, info.aiHash,
            info.dwHashStrength, info.aiExch, info.dwExchStrength};
  }
  return status;
}

Status QueryCipherInfo(SecurityContext& context, CipherInfo* out) {
  SecPkgContext_CipherInfo info{};
  info.dwVersion = SECPKGCONTEXT_CIPHERINFO_V1;
  Status status = Query(context, SECPKG_ATTR_CIPHER_INFO, &info);
  if (status != SEC_E_OK) return status;
  out->version = info.dwVersion;
  out->protocol = info.dwProtocol;
  out->cipherSuite = info.dwCipherSuite;
  out->baseCipherSuite = info.dwBaseCipherSuite;
  out->cipherSuiteName = FixedWide(info.szCipherSuite, SZ_ALG_MAX_SIZE);
  out->cipher = FixedWide(info.szCipher, SZ_ALG_MAX_SIZE);
  out->cipherLength = info.dwCipherLen;
  out->cipherBlockLength = info.dwCipherBlockLen;
  out->hash = FixedWide(info.szHash, SZ_ALG_MAX_SIZE);
  out->hashLength = info.dwHashLen;
  out->exchange = FixedWide(info.szExchange, SZ_ALG_MAX_SIZE);
  out->minExchangeLength = info.dwMinExchangeLen;
  out->maxExchangeLength = info.dwMaxExchangeLen;
  out->certificate = FixedWide(info.szCertificate, SZ_ALG_MAX_SIZE);
  out->keyType = info.dwKeyType;
  return status;
}

Status QueryKeyInfo(SecurityContext& context, KeyInfo* out) {
  SecPkgContext_KeyInfoW info{};
  Status status = Query(context, SECPKG_ATTR_KEY_INFO, &info);
  if (status != SEC_E_OK) return status;
  ContextBuffer signatureName(info.sSignatureAlgorithmName);
  ContextBuffer encryptName(info.sEncryptAlgorithmName);
  out->signatureAlgorithmName = WideToUtf8(info.sSignatureAlgorithmName);
  out->encryptAlgorithmName = WideToUtf8(info.sEncryptAlgorithmName);
  out->keySize = info.KeySize;
  out->signatureAlgorithm = info.SignatureAlgorithm;
  out->encryptAlgorithm = info.EncryptAlgorithm;
  return status;
}

Status QueryApplicationProtocol(SecurityContext& context, ApplicationProtocolInfo* out) {
  SecPkgContext_ApplicationProtocol info{};
  Status status = Query(context, SECPKG_ATTR_APPLICATION_PROTOCOL, &info);
  if (status != SEC_E_OK) return status;
  out->negotiationStatus = info.ProtoNegoStatus;
  out->negotiationExtension = info.ProtoNegoExt;
  out->protocolId.assign(info.ProtocolId, info.ProtocolId + info.ProtocolIdSize);
  return status;
}

Status QuerySessionInfo(SecurityContext& context, SessionInfo* out) {
  SecPkgContext_SessionInfo info{};
  Status status = Query(context, SECPKG_ATTR_SESSION_INFO, &info);
  if (status != SEC_E_OK) return status;
  out->flags = info.dwFlags;
  DWORD length = info.cbSessionId <= sizeof(info.rgbSessionId) ? info.cbSessionId : sizeof(info.rgbSessionId);
  out->sessionId.assign(info.rgbSessionId, info.rgbSessionId + length);
  return status;
}

Status QueryCertificateChain(SecurityContext& context, bool remote, std::vector<Bytes>* out) {
  PCCERT_CONTEXT leaf = nullptr;
  Status status = Query(context, remote ? SECPKG_ATTR_REMOTE_CERT_CONTEXT : SECPKG_ATTR_LOCAL_CERT_CONTEXT, &leaf);
  if (status != SEC_E_OK) return status;
  CertContext owned(leaf);
  *out = PresentedChain(leaf);
  return status;
}

Status QueryIssuerList(SecurityContext& context, std::vector<Bytes>* out) {
  SecPkgContext_IssuerListInfoEx info{};
  Status status = Query(context, SECPKG_ATTR_ISSUER_LIST_EX, &info);
  if (status != SEC_E_OK) return status;
  ContextBuffer owned(info.aIssuers);
  out->clear();
  for (DWORD i = 0; i < info.cIssuers; ++i) {
    const CERT_NAME_BLOB& name = info.aIssuers[i];
    out->emplace_back(name.pbData, name.pbData + name.cbData);
  }
  return status;
}

Status QueryBindings(SecurityContext& context, unsigned long attribute, ChannelBindings* out) {
  SecPkgContext_Bindings bindings{};
  Status status = Query(context, attribute, &bindings);
  if (status != SEC_E_OK) return status;
  ContextBuffer owned(bindings.Bindings);
  if (bindings.Bindings == nullptr) return status;
  const auto* base = reinterpret_cast<const uint8_t*>(bindings.Bindings);
  out->raw.assign(base, base + bindings.BindingsLength);
  const SEC_CHANNEL_BINDINGS* header = bindings.Bindings;
  uint64_t end = static_cast<uint64_t>(header->dwApplicationDataOffset) + header->cbApplicationDataLength;
  if (end <= bindings.BindingsLength) {
    out->applicationData.assign(base + header->dwApplicationDataOffset, base + end);
  }
  return status;
}

}  // namespace sspi
