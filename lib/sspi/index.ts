// The typed 1:1 SSPI surface: Windows names, camelCased; every parameter reachable.
export * from './status';
export * from './flags';
// invalidThis/illegalConstructor stay inside: they are for this package's own classes.
export {
  SchannelError,
  UNKNOWN_STATUS_CODE_PREFIX,
  describeReceived,
  invalidArgType,
  invalidArgValue,
  invalidArgValueRange,
  outOfRange,
  type SchannelErrorOptions,
} from './errors';
export { CredentialsHandle, SecurityContext } from './handles';
export { acquireCredentialsHandle, type AcquireCredentialsOptions, type SchCredFlagName } from './credentials';
export {
  initializeSecurityContext,
  acceptSecurityContext,
  completeAuthToken,
  deleteSecurityContext,
  type InitializeSecurityContextParams,
  type AcceptSecurityContextParams,
  type HandshakeResult,
  type IscReqName,
  type AscReqName,
} from './handshake';
export { applyControlToken, encodeControlToken, type ControlToken } from './control';
export { encryptMessage, encryptMessageInto, encryptedSizeBound, decryptMessage, decryptRecords, type DecryptResult, type DecryptRecordsResult } from './messages';
export * from './attributes';
export { applicationProtocolsBuffer, encodeApplicationProtocols } from './alpn';
export { bufferTypeName, type SecBufferInput, type SecBufferOutputSpec, type SecBufferResult } from './buffers';
