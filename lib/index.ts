// schannel: the Windows operating system's own TLS for Node.js.
import { native, isSupported, unsupportedReason, type NativeDebugStats } from './native';

export * from './sspi';
export { isSupported, unsupportedReason };
export { TlsEngine, runHandshake, type EngineOptions, type EngineEvent, type EngineState, type HandshakeTransport } from './engine';
export {
  connect,
  createServer,
  createSecureContext,
  SchannelServer,
  SchannelSocket,
  clearCredentialCache,
  type ConnectOptions,
  type ServerOptions,
  type SchannelSecureContext,
  type ServerIdentityOptions,
  type SNIContext,
} from './tls';
export * from './certs';
export * from './certstore';
export { SchannelAgent, createFetchDispatcher, type SchannelAgentOptions, type FetchDispatcherOptions } from './http';

/** Counts of live native handles (credentials, contexts, certificate stores...), for leak tests. */
export function debugStats(): NativeDebugStats {
  return native().debugStats();
}
