// schannel: the Windows operating system's own TLS for Node.js.
import { native, isSupported, unsupportedReason, type NativeDebugStats } from './native';

export * from './sspi';
export { isSupported, unsupportedReason };

/** Counts of live native handles (credentials, contexts, certificate stores...), for leak tests. */
export function debugStats(): NativeDebugStats {
  return native().debugStats();
}
