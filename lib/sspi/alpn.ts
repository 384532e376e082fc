// The SECBUFFER_APPLICATION_PROTOCOLS input buffer (SEC_APPLICATION_PROTOCOLS) for ALPN.
import { invalidArgValue } from './errors';
import { SecBufferType } from './flags';
import type { SecBufferInput } from './buffers';
import { validateArray } from './validate';

const ALPN_EXTENSION = 2; // SecApplicationProtocolNegotiationExt_ALPN

/**
 * Layout: ULONG ProtocolListsSize, then one SEC_APPLICATION_PROTOCOL_LIST:
 * ProtoNegoExt (4 bytes), ProtocolListSize (2 bytes), then each protocol with a 1-byte length.
 */
export function encodeApplicationProtocols(protocols: readonly (string | Uint8Array)[]): Buffer {
  validateArray(protocols, 'protocols', 1);
  const names = protocols.map((p, i) => {
    const bytes = typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p);
    if (bytes.length === 0 || bytes.length > 255) throw invalidArgValue(`protocols[${i}]`, p, 'must be 1 to 255 bytes');
    return bytes;
  });
  const list = Buffer.concat(names.flatMap((n) => [Buffer.from([n.length]), n]));
  if (list.length > 0xffff) throw invalidArgValue('protocols', protocols, 'is too long');
  const out = Buffer.alloc(4 + 4 + 2 + list.length);
  out.writeUInt32LE(4 + 2 + list.length, 0);
  out.writeUInt32LE(ALPN_EXTENSION, 4);
  out.writeUInt16LE(list.length, 8);
  list.copy(out, 10);
  return out;
}

/** The input buffer for the first handshake call that offers these protocols. */
export function applicationProtocolsBuffer(protocols: readonly (string | Uint8Array)[]): SecBufferInput {
  return { type: SecBufferType.APPLICATION_PROTOCOLS, data: encodeApplicationProtocols(protocols) };
}
