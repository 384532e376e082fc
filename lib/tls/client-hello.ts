// The server name a client asks for, read from its ClientHello before Schannel sees it. Schannel's
// AcceptSecurityContext takes its credential on the first call, so a server that serves several
// names must choose the certificate from the raw bytes first (RFC 6066 section 3; the ClientHello
// layout of RFC 5246 7.4.1.2, unchanged in RFC 8446 4.1.2).
//
// Pure and total: any input gives an answer, never an exception, and the wait is bounded. Whatever
// is not a well-formed TLS ClientHello counts as "no server name"; Schannel then reads the same
// bytes and gives its own error.
import { RecordType, RECORD_HEADER_LENGTH } from '../engine/records';

export type ClientHelloResult =
  /** More bytes are needed: ask again once at least `needed` bytes in all have arrived. */
  | { complete: false; needed: number }
  /** Decided: the host name the client sent (in its case), or null for none (or not a ClientHello). */
  | { complete: true; servername: string | null };

/** The largest plaintext record (TLSPlaintext.length <= 2^14). */
const MAX_FRAGMENT = 16384;
/** The largest ClientHello body waited for; real ones are a few hundred bytes to a few KiB. */
export const MAX_CLIENT_HELLO = 16384;
/** The most records the ClientHello may be spread over. */
export const MAX_HELLO_RECORDS = 4;
const HANDSHAKE_HEADER = 4;
const CLIENT_HELLO = 1;
const EXT_SERVER_NAME = 0;
const NAME_TYPE_HOST = 0;
const MAX_HOST_NAME = 255;

const NONE: ClientHelloResult = Object.freeze({ complete: true, servername: null });

/**
 * The SNI host name in the first bytes a client sent. `data` is everything received so far, from
 * the first byte of the connection.
 */
export function parseClientHello(data: Uint8Array): ClientHelloResult {
  if (data.length === 0) return { complete: false, needed: 1 };
  // An SSLv2-compatible hello (first bit set) carries no extensions; anything else is not TLS.
  if (data[0] !== RecordType.HANDSHAKE) return NONE;
  const fragments: Uint8Array[] = [];
  let gathered = 0;
  let offset = 0;
  for (let records = 0; ; records++) {
    if (records === MAX_HELLO_RECORDS) return NONE;
    if (data.length < offset + RECORD_HEADER_LENGTH) return { complete: false, needed: offset + RECORD_HEADER_LENGTH };
    const type = data[offset];
    const major = data[offset + 1];
    const length = (data[offset + 3] << 8) | data[offset + 4];
    // Handshake records only (a ChangeCipherSpec or alert in the middle ends it), SSL 3.0 or a TLS
    // version, and never empty (RFC 5246 6.2.1) or longer than a plaintext record may be.
    if (type !== RecordType.HANDSHAKE || major !== 3 || length === 0 || length > MAX_FRAGMENT) return NONE;
    const end = offset + RECORD_HEADER_LENGTH + length;
    if (data.length < end) return { complete: false, needed: end };
    fragments.push(data.subarray(offset + RECORD_HEADER_LENGTH, end));
    gathered += length;
    offset = end;
    if (gathered < HANDSHAKE_HEADER) continue;
    const message = fragments.length === 1 ? fragments[0] : concat(fragments, gathered);
    if (message[0] !== CLIENT_HELLO) return NONE;
    const bodyLength = (message[1] << 16) | (message[2] << 8) | message[3];
    if (bodyLength > MAX_CLIENT_HELLO) return NONE;
    if (gathered >= HANDSHAKE_HEADER + bodyLength) {
      return { complete: true, servername: serverNameOf(message.subarray(HANDSHAKE_HEADER, HANDSHAKE_HEADER + bodyLength)) };
    }
  }
}

/**
 * A connection's first bytes, collected chunk by chunk until parseClientHello() decides. It parses
 * only once as many bytes as the last answer asked for have come, so a hello that arrives a byte at
 * a time is parsed a few times, not once per byte.
 */
export class ClientHelloCollector {
  #chunks: Buffer[] = [];
  #received = 0;
  #needed = 1;

  /** Adds a chunk; once decided, every byte so far (in one Buffer) and the name; null until then. */
  add(chunk: Buffer): { data: Buffer; servername: string | null } | null {
    this.#chunks.push(chunk);
    this.#received += chunk.length;
    if (this.#received < this.#needed) return null;
    const data = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks, this.#received);
    this.#chunks = [data];
    const hello = parseClientHello(data);
    if (!hello.complete) {
      this.#needed = hello.needed;
      return null;
    }
    return { data, servername: hello.servername };
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

/** The host_name in a ClientHello body, or null when there is none or the body is malformed. */
function serverNameOf(body: Uint8Array): string | null {
  const reader = new Reader(body);
  reader.skip(2 + 32); // client_version, random
  reader.skip(reader.u8()); // legacy_session_id
  reader.skip(reader.u16()); // cipher_suites
  reader.skip(reader.u8()); // compression_methods
  if (!reader.ok || reader.remaining === 0) return null; // a hello without extensions
  const extensions = reader.sub(reader.u16());
  while (reader.ok && extensions.ok && extensions.remaining > 0) {
    const type = extensions.u16();
    const data = extensions.sub(extensions.u16());
    if (!extensions.ok) return null;
    if (type !== EXT_SERVER_NAME) continue;
    const list = data.sub(data.u16());
    while (list.ok && list.remaining > 0) {
      const nameType = list.u8();
      const name = list.bytes(list.u16());
      if (!list.ok || name === null) return null;
      if (nameType === NAME_TYPE_HOST) return hostName(name);
    }
    return null; // one server_name extension only (RFC 8446 4.2); it held no host name
  }
  return null;
}

/** The name as text, as the client sent it (node:tls keeps its case too): printable ASCII only (RFC 6066: no trailing dot, no NUL). */
function hostName(bytes: Uint8Array): string | null {
  if (bytes.length === 0 || bytes.length > MAX_HOST_NAME) return null;
  let name = '';
  for (const byte of bytes) {
    if (byte <= 0x20 || byte >= 0x7f) return null;
    name += String.fromCharCode(byte);
  }
  return name;
}

/** Big-endian reads that never throw: past the end, `ok` turns false and reads return 0. */
class Reader {
  #data: Uint8Array;
  #at = 0;
  ok = true;

  constructor(data: Uint8Array) {
    this.#data = data;
  }

  get remaining(): number {
    return this.#data.length - this.#at;
  }

  #take(count: number): number {
    if (!this.ok || count > this.remaining) {
      this.ok = false;
      return -1;
    }
    const at = this.#at;
    this.#at += count;
    return at;
  }

  u8(): number {
    const at = this.#take(1);
    return at < 0 ? 0 : this.#data[at];
  }

  u16(): number {
    const at = this.#take(2);
    return at < 0 ? 0 : (this.#data[at] << 8) | this.#data[at + 1];
  }

  skip(count: number): void {
    this.#take(count);
  }

  bytes(count: number): Uint8Array | null {
    const at = this.#take(count);
    return at < 0 ? null : this.#data.subarray(at, at + count);
  }

  /** The next `count` bytes as a reader of their own (a failed one when they are not all there). */
  sub(count: number): Reader {
    const bytes = this.bytes(count);
    const reader = new Reader(bytes ?? new Uint8Array(0));
    if (bytes === null) reader.ok = false;
    return reader;
  }
}
