// QueryContextAttributesW for the Schannel attributes the binding exposes, as plain structs.
// Every SSPI-allocated piece is copied and freed before these functions return.
#pragma once
#include <string>
#include <vector>

#include "security_context.h"

namespace sspi {

struct StreamSizesInfo {
  unsigned long header, trailer, maximumMessage, buffers, blockSize;
};

struct ConnectionInfo {
  unsigned long protocol, cipher, cipherStrength, hash, hashStrength, exchange, exchangeStrength;
};

struct CipherInfo {
  unsigned long version, protocol, cipherSuite, baseCipherSuite;
  std::string cipherSuiteName, cipher;
  unsigned long cipherLength, cipherBlockLength;
  std::string hash;
  unsigned long hashLength;
  std::string exchange;
  unsigned long minExchangeLength, maxExchangeLength;
  std::string certificate;
  unsigned long keyType;
};

struct KeyInfo {
  std::string signatureAlgorithmName, encryptAlgorithmName;
  unsigned long keySize, signatureAlgorithm, encryptAlgorithm;
};

struct ApplicationProtocolInfo {
  unsigned long negotiationStatus, negotiationExtension;
  Bytes protocolId;
};

struct SessionInfo {
  unsigned long flags;
  Bytes sessionId;
};

struct ChannelBindings {
  Bytes raw;              // the whole SEC_CHANNEL_BINDINGS structure with its data
  Bytes applicationData;  // the part at dwApplicationDataOffset ("tls-unique:..." / "tls-server-end-point:...")
};

Status QueryStreamSizes(SecurityContext& context, StreamSizesInfo* out);
Status QueryConnectionInfo(SecurityContext& context, ConnectionInfo* out);
Status QueryCipherInfo(SecurityContext& context, CipherInfo* out);
Status QueryKeyInfo(SecurityContext& context, KeyInfo* out);
Status QueryApplicationProtocol(SecurityContext& context, ApplicationProtocolInfo* out);
Status QuerySessionInfo(SecurityContext& context, SessionInfo* out);
// REMOTE_CERT_CONTEXT (remote = true) or LOCAL_CERT_CONTEXT: the DER chain, leaf first.
Status QueryCertificateChain(SecurityContext& context, bool remote, std::vector<Bytes>* out);
Status QueryIssuerList(SecurityContext& context, std::vector<Bytes>* out);
// SECPKG_ATTR_ENDPOINT_BINDINGS or SECPKG_ATTR_UNIQUE_BINDINGS.
Status QueryBindings(SecurityContext& context, unsigned long attribute, ChannelBindings* out);

}  // namespace sspi
