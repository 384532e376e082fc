// QueryContextAttributesW for the Schannel attributes, each with a typed result.
import { native } from '../native';
import { failure } from './check';
import { traceCall } from './trace';
import { invalidArgValue } from './errors';
import { AlgId, enumName, protocolName, SecPkgAttr, type ProtocolName } from './flags';
import { nativeContext, type SecurityContext } from './handles';
import { validateString } from './validate';

export interface StreamSizes {
  header: number;
  trailer: number;
  maximumMessage: number;
  buffers: number;
  blockSize: number;
}

export interface ConnectionInfo {
  /** SP_PROT_* bit, and its Node name ('TLSv1.2'). */
  protocol: number;
  protocolName: ProtocolName | null;
  cipher: number;
  cipherName: string | null;
  cipherStrength: number;
  hash: number;
  hashName: string | null;
  hashStrength: number;
  exchange: number;
  exchangeName: string | null;
  exchangeStrength: number;
}

export interface CipherInfo {
  version: number;
  protocol: number;
  protocolName: ProtocolName | null;
  /** The IANA cipher suite number and Schannel's name for it ('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'). */
  cipherSuite: number;
  baseCipherSuite: number;
  cipherSuiteName: string;
  cipher: string;
  cipherLength: number;
  cipherBlockLength: number;
  hash: string;
  hashLength: number;
  exchange: string;
  minExchangeLength: number;
  maxExchangeLength: number;
  certificate: string;
  keyType: number;
}

export interface KeyInfo {
  signatureAlgorithmName: string;
  encryptAlgorithmName: string;
  keySize: number;
  signatureAlgorithm: number;
  encryptAlgorithm: number;
}

export interface ApplicationProtocol {
  /** SecApplicationProtocolNegotiationStatus_*: 0 none, 1 success, 2 selected (client only). */
  negotiationStatus: number;
  negotiationExtension: number;
  /** The protocol chosen ('h2'), or null when none was negotiated. */
  protocol: string | null;
  protocolId: Buffer;
}

export interface SessionInfo {
  flags: number;
  /** SSL_SESSION_RECONNECT: this handshake resumed a cached session. */
  reconnect: boolean;
  sessionId: Buffer;
}

export interface ChannelBindings {
  /** The SEC_CHANNEL_BINDINGS structure with its data, as Windows returns it. */
  raw: Buffer;
  /** The application data part: "tls-server-end-point:" or "tls-unique:" followed by the binding. */
  applicationData: Buffer;
}

export interface ContextAttributeTypes {
  STREAM_SIZES: StreamSizes;
  CONNECTION_INFO: ConnectionInfo;
  CIPHER_INFO: CipherInfo;
  KEY_INFO: KeyInfo;
  APPLICATION_PROTOCOL: ApplicationProtocol;
  /** The peer's certificate chain as DER, leaf first. */
  REMOTE_CERT_CONTEXT: Buffer[];
  /** This side's certificate chain as DER, leaf first (when it sent one). */
  LOCAL_CERT_CONTEXT: Buffer[];
  SESSION_INFO: SessionInfo;
  /** The DER-encoded distinguished names of the CAs the server accepts for client certificates. */
  ISSUER_LIST_EX: Buffer[];
  ENDPOINT_BINDINGS: ChannelBindings;
  UNIQUE_BINDINGS: ChannelBindings;
}

export type ContextAttributeName = keyof ContextAttributeTypes;

export const contextAttributeNames: readonly ContextAttributeName[] = [
  'STREAM_SIZES', 'CONNECTION_INFO', 'CIPHER_INFO', 'KEY_INFO', 'APPLICATION_PROTOCOL', 'REMOTE_CERT_CONTEXT',
  'LOCAL_CERT_CONTEXT', 'SESSION_INFO', 'ISSUER_LIST_EX', 'ENDPOINT_BINDINGS', 'UNIQUE_BINDINGS',
];

// SecPkgContext_SessionInfo.dwFlags: set when the handshake resumed a cached session.
const SSL_SESSION_RECONNECT = 1;

// SecPkgContext_CipherInfo.dwProtocol holds the TLS wire version (0x0303), not SP_PROT_* bits.
const wireVersions: Record<number, ProtocolName> = { 0x0300: 'SSLv3', 0x0301: 'TLSv1', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3' };
const wireVersionName = (value: number): ProtocolName | null => wireVersions[value] ?? null;

const algName = (value: number): string | null => enumName(AlgId, value) ?? null;

function shape<N extends ContextAttributeName>(name: N, value: any): ContextAttributeTypes[N] {
  switch (name) {
    case 'CONNECTION_INFO':
      return {
        ...value,
        protocolName: protocolName(value.protocol),
        cipherName: algName(value.cipher),
        hashName: algName(value.hash),
        exchangeName: algName(value.exchange),
      };
    case 'CIPHER_INFO':
      return { ...value, protocolName: wireVersionName(value.protocol) ?? protocolName(value.protocol) };
    case 'APPLICATION_PROTOCOL':
      return {
        ...value,
        protocol: value.negotiationStatus === 1 && value.protocolId.length > 0 ? value.protocolId.toString('latin1') : null,
      };
    case 'SESSION_INFO':
      return { ...value, reconnect: (value.flags & SSL_SESSION_RECONNECT) !== 0 };
    default:
      return value;
  }
}

/** QueryContextAttributesW(context, SECPKG_ATTR_<name>), with the result as a plain typed object. */
export function queryContextAttributes<N extends ContextAttributeName>(context: SecurityContext, name: N): ContextAttributeTypes[N] {
  const handle = nativeContext(context, 'context');
  validateString(name, 'name');
  if (!contextAttributeNames.includes(name)) {
    throw invalidArgValue('name', name, `must be one of: ${contextAttributeNames.join(', ')}`);
  }
  const result = native().queryContextAttributes(handle, SecPkgAttr[name]);
  traceCall('QueryContextAttributesW', result.status, name);
  if (result.status !== 0) throw failure(result.status, 'QueryContextAttributesW', { attribute: name });
  return shape(name, result.value);
}

Object.freeze(contextAttributeNames);
