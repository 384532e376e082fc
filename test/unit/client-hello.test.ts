// parseClientHello: the SNI host name from the first bytes of a connection, read before Schannel
// sees them (a server chooses its certificate with it). Real ClientHellos come from this Linux
// node's own tls.connect, captured by a plain TCP listener; the rest are made by hand, garbage
// included. The parser must never throw, never ask for unbounded input, and answer the same
// whatever way the bytes are cut.
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClientHelloCollector, MAX_CLIENT_HELLO, MAX_HELLO_RECORDS, parseClientHello, type ClientHelloResult } from '../../lib/tls/client-hello';

/** The most bytes the parser may ever wait for: MAX_HELLO_RECORDS full records. */
const WAIT_BOUND = MAX_HELLO_RECORDS * (5 + 16384);

/** The first TLS record tls.connect sends with these options, read by a plain TCP listener. */
async function capture(options: tls.ConnectionOptions): Promise<Buffer> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as net.AddressInfo).port;
  const bytes = new Promise<Buffer>((resolve, reject) => {
    listener.once('connection', (socket) => {
      let data = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        if (data.length >= 5 && data.length >= 5 + data.readUInt16BE(3)) {
          resolve(data.subarray(0, 5 + data.readUInt16BE(3)));
          socket.destroy();
        }
      });
      socket.on('error', reject);
    });
  });
  const client = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...options });
  client.on('error', () => {});
  try {
    return await bytes;
  } finally {
    client.destroy();
    listener.close();
  }
}

/** The handshake message inside a one-record hello, cut into records at `cuts` (offsets in the message). */
function reframe(record: Buffer, cuts: number[]): Buffer {
  const message = record.subarray(5);
  const bounds = [0, ...cuts, message.length];
  const parts: Buffer[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const fragment = message.subarray(bounds[i], bounds[i + 1]);
    const header = Buffer.from([0x16, record[1], record[2], 0, 0]);
    header.writeUInt16BE(fragment.length, 3);
    parts.push(header, fragment);
  }
  return Buffer.concat(parts);
}

/** Feeds `data` in chunks the way the server does (asking again only once `needed` bytes are there). */
function feed(data: Uint8Array, chunkSize: number): { result: ClientHelloResult; calls: number; consumed: number } {
  let needed = 1;
  let calls = 0;
  for (let length = Math.min(chunkSize, data.length); ; length = Math.min(length + chunkSize, data.length)) {
    if (length >= needed) {
      calls++;
      const result = parseClientHello(data.subarray(0, length));
      if (result.complete) return { result, calls, consumed: length };
      expect(result.needed).toBeGreaterThan(length);
      expect(result.needed).toBeLessThanOrEqual(WAIT_BOUND);
      needed = result.needed;
    }
    if (length === data.length) return { result: { complete: false, needed }, calls, consumed: length };
  }
}

// --- a hand-made ClientHello -----------------------------------------------------------------------

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const vec8 = (b: Buffer) => Buffer.concat([Buffer.from([b.length]), b]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);

function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(body)]);
}

/** server_name extension body: a list of (name_type, name) entries. */
function serverNameBody(entries: [number, Buffer | string][]): Buffer {
  return vec16(Buffer.concat(entries.map(([type, name]) => Buffer.concat([Buffer.from([type]), vec16(Buffer.from(name as string, 'latin1'))]))));
}

function helloBody(extensions: Buffer | null): Buffer {
  const parts = [Buffer.from([3, 3]), Buffer.alloc(32, 7), vec8(Buffer.alloc(32, 1)), vec16(Buffer.from([0x13, 0x01, 0xc0, 0x2f])), vec8(Buffer.from([0]))];
  if (extensions) parts.push(vec16(extensions));
  return Buffer.concat(parts);
}

function record(body: Buffer, { handshakeType = 1, recordType = 0x16, version = [3, 1] } = {}): Buffer {
  const message = Buffer.concat([Buffer.from([handshakeType, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([recordType, version[0], version[1]]), u16(message.length), message]);
}

const withName = (name: string) => record(helloBody(Buffer.concat([extension(0x000b, Buffer.from([1, 0])), extension(0, serverNameBody([[0, name]]))])));

// ---------------------------------------------------------------------------------------------------

describe('parseClientHello on ClientHellos from node:tls', () => {
  const hellos: Record<string, { bytes: Buffer; expected: string | null }> = {};

  beforeAll(async () => {
    const cases: [string, tls.ConnectionOptions, string | null][] = [
      ['TLS 1.3 (default)', { servername: 'a.example.test' }, 'a.example.test'],
      ['TLS 1.2 only', { servername: 'b.example.test', maxVersion: 'TLSv1.2' }, 'b.example.test'],
      ['ALPN and a long name', { servername: `${'x'.repeat(60)}.${'y'.repeat(60)}.example.test`, ALPNProtocols: ['h2', 'http/1.1'] }, `${'x'.repeat(60)}.${'y'.repeat(60)}.example.test`],
      ['mixed case (kept as sent, as node:tls keeps it)', { servername: 'Mixed.Example.TEST' }, 'Mixed.Example.TEST'],
      ['no servername (an IP address: no SNI)', {}, null],
    ];
    for (const [label, options, expected] of cases) {
      hellos[label] = { bytes: await capture(options), expected };
    }
  }, 30_000);

  it('reads the name as sent or null when none was sent', () => {
    for (const [label, { bytes, expected }] of Object.entries(hellos)) {
      expect(bytes[0], label).toBe(0x16);
      expect(parseClientHello(bytes), label).toEqual({ complete: true, servername: expected });
    }
  });

  it('asks for more at every cut short of the whole record, and for no more than the record', () => {
    for (const [label, { bytes, expected }] of Object.entries(hellos)) {
      for (let cut = 0; cut < bytes.length; cut++) {
        const result = parseClientHello(bytes.subarray(0, cut));
        expect(result.complete, `${label}, cut at ${cut}`).toBe(false);
        if (!result.complete) {
          expect(result.needed).toBeGreaterThan(cut);
          expect(result.needed).toBeLessThanOrEqual(bytes.length);
        }
      }
      expect(parseClientHello(bytes)).toEqual({ complete: true, servername: expected });
    }
  });

  it('gives the same answer fed 1, 2, 3, 7 and 100 bytes at a time', () => {
    for (const [label, { bytes, expected }] of Object.entries(hellos)) {
      for (const size of [1, 2, 3, 7, 100]) {
        const { result, calls } = feed(bytes, size);
        expect(result, `${label}, ${size} at a time`).toEqual({ complete: true, servername: expected });
        expect(calls, 'a re-parse per record header and per record, not per byte').toBeLessThanOrEqual(4);
      }
    }
  });

  it('ignores what follows the ClientHello (a ChangeCipherSpec, early data)', () => {
    for (const { bytes, expected } of Object.values(hellos)) {
      const more = Buffer.concat([bytes, Buffer.from([0x14, 3, 3, 0, 1, 1]), randomBytes(50)]);
      expect(parseClientHello(more)).toEqual({ complete: true, servername: expected });
    }
  });

  it('reads a ClientHello spread over up to MAX_HELLO_RECORDS records, cut anywhere', () => {
    for (const [label, { bytes, expected }] of Object.entries(hellos)) {
      const length = bytes.length - 5;
      for (let cut = 1; cut < length; cut++) {
        const two = reframe(bytes, [cut]);
        expect(parseClientHello(two), `${label}: two records cut at ${cut}`).toEqual({ complete: true, servername: expected });
        // ...and every prefix of the two-record form still asks for more
        if (cut % 17 === 0) for (let p = 0; p < two.length; p++) expect(parseClientHello(two.subarray(0, p)).complete).toBe(false);
      }
      expect(parseClientHello(reframe(bytes, [1, 2, 3])), `${label}: four records, the header spread over three`).toEqual({ complete: true, servername: expected });
      expect(parseClientHello(reframe(bytes, [10, 50, length - 1])), `${label}: four records`).toEqual({ complete: true, servername: expected });
      expect(parseClientHello(reframe(bytes, [1, 2, 3, 4])), `${label}: five records is past the bound`).toEqual({ complete: true, servername: null });
    }
  });

  it('survives every single-byte change and every truncation of the hello inside its own lengths', () => {
    for (const { bytes } of Object.values(hellos)) {
      for (let at = 0; at < bytes.length; at++) {
        for (const value of [0x00, 0xff, bytes[at] ^ 0x01, bytes[at] ^ 0x80]) {
          const changed = Buffer.from(bytes);
          changed[at] = value;
          const result = parseClientHello(changed);
          if (!result.complete) {
            expect(result.needed).toBeGreaterThan(changed.length);
            expect(result.needed).toBeLessThanOrEqual(WAIT_BOUND);
          } else if (result.servername !== null) {
            expect(result.servername).toMatch(/^[\x21-\x7e]+$/);
          }
        }
      }
      // The handshake message claims fewer bytes than the record carries: parsed as far as it says.
      for (let length = 0; length < bytes.length - 9; length += 3) {
        const short = Buffer.from(bytes);
        short.writeUIntBE(length, 6, 3);
        expect(() => parseClientHello(short)).not.toThrow();
        expect(parseClientHello(short).complete).toBe(true);
      }
    }
  });
});

describe('parseClientHello on hand-made and hostile input', () => {
  it('asks for one byte when it has none', () => {
    expect(parseClientHello(new Uint8Array(0))).toEqual({ complete: false, needed: 1 });
  });

  it('is done at the first byte for anything that is not a TLS handshake record', () => {
    const none = { complete: true, servername: null };
    // An SSLv2-compatible ClientHello (2-byte header, msg_type 1): no extensions, so no SNI.
    expect(parseClientHello(Buffer.from([0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15]))).toEqual(none);
    expect(parseClientHello(Buffer.from([0x80]))).toEqual(none);
    expect(parseClientHello(Buffer.from('GET / HTTP/1.1\r\nHost: a.example.test\r\n\r\n'))).toEqual(none);
    expect(parseClientHello(Buffer.from([0x15, 3, 3, 0, 2, 2, 40]))).toEqual(none); // an alert
    expect(parseClientHello(Buffer.from([0x17]))).toEqual(none); // application data
    expect(parseClientHello(Buffer.from([0x00]))).toEqual(none);
  });

  it('refuses bad record headers once they are complete', () => {
    const none = { complete: true, servername: null };
    expect(parseClientHello(Buffer.from([0x16, 3, 1, 0]))).toEqual({ complete: false, needed: 5 });
    expect(parseClientHello(Buffer.from([0x16, 2, 0, 0, 10]))).toEqual(none); // not SSL 3 / TLS
    expect(parseClientHello(Buffer.from([0x16, 3, 1, 0, 0]))).toEqual(none); // an empty record
    expect(parseClientHello(Buffer.from([0x16, 3, 1, 0x40, 0x01]))).toEqual(none); // 16385 bytes: too long
    expect(parseClientHello(Buffer.from([0x16, 3, 1, 0x40, 0x00]))).toEqual({ complete: false, needed: 5 + 16384 });
    expect(parseClientHello(Buffer.from([0x16, 0xff, 0xff, 0xff, 0xff]))).toEqual(none);
  });

  it('refuses a handshake message that is not a ClientHello, or one longer than the bound', () => {
    expect(parseClientHello(record(helloBody(null), { handshakeType: 2 }))).toEqual({ complete: true, servername: null });
    const huge = Buffer.from([0x16, 3, 1, 0, 4, 1, 0x00, 0x40, 0x01]); // claims 16385 bytes
    expect(parseClientHello(huge)).toEqual({ complete: true, servername: null });
    const atBound = Buffer.from([0x16, 3, 1, 0, 4, 1, 0x00, (MAX_CLIENT_HELLO >> 8) & 0xff, MAX_CLIENT_HELLO & 0xff]);
    expect(parseClientHello(atBound)).toEqual({ complete: false, needed: atBound.length + 5 });
    // A second record that is not a handshake record ends the wait.
    const split = reframe(withName('a.example.test'), [20]);
    split[5 + 20] = 0x15;
    expect(parseClientHello(split)).toEqual({ complete: true, servername: null });
  });

  it('reads the server_name extension wherever it is, and only its host_name entry', () => {
    expect(parseClientHello(withName('a.example.test'))).toEqual({ complete: true, servername: 'a.example.test' });
    expect(parseClientHello(withName('WWW.Example.Test'))).toEqual({ complete: true, servername: 'WWW.Example.Test' });
    expect(parseClientHello(record(helloBody(null)))).toEqual({ complete: true, servername: null }); // no extensions at all
    expect(parseClientHello(record(helloBody(Buffer.alloc(0))))).toEqual({ complete: true, servername: null });
    const otherTypeFirst = extension(0, serverNameBody([[7, 'not-a-host'], [0, 'b.example.test']]));
    expect(parseClientHello(record(helloBody(otherTypeFirst)))).toEqual({ complete: true, servername: 'b.example.test' });
    const twoHosts = extension(0, serverNameBody([[0, 'first.example.test'], [0, 'second.example.test']]));
    expect(parseClientHello(record(helloBody(twoHosts)))).toEqual({ complete: true, servername: 'first.example.test' });
    const last = Buffer.concat([extension(0xff01, Buffer.from([0])), extension(0x0010, Buffer.from([0, 3, 2, 0x68, 0x32])), extension(0, serverNameBody([[0, 'last.example.test']]))]);
    expect(parseClientHello(record(helloBody(last)))).toEqual({ complete: true, servername: 'last.example.test' });
    expect(parseClientHello(record(helloBody(extension(0, Buffer.alloc(0)))))).toEqual({ complete: true, servername: null });
    expect(parseClientHello(record(helloBody(extension(0, serverNameBody([])))))).toEqual({ complete: true, servername: null });
  });

  it('refuses names that are not printable ASCII, empty or over 255 bytes', () => {
    for (const name of ['', 'a.example.test\0.evil.test', 'tab\there', 'space here', 'caf\u00e9.example.test', '\u007f', 'x'.repeat(256)]) {
      expect(parseClientHello(withName(name)), JSON.stringify(name)).toEqual({ complete: true, servername: null });
    }
    expect(parseClientHello(withName('x'.repeat(255)))).toEqual({ complete: true, servername: 'x'.repeat(255) });
  });

  it('gives null, not an exception, when inner lengths overrun', () => {
    const good = withName('a.example.test');
    const body = good.subarray(9);
    // Every 16-bit and 8-bit length field, set past the end.
    for (let at = 0; at < body.length; at++) {
      for (const value of [0xff, 0x7f]) {
        const bad = Buffer.from(good);
        bad[9 + at] = value;
        const result = parseClientHello(bad);
        expect(result.complete).toBe(true);
      }
    }
  });

  it('never throws and never waits past the bound on random input (20000 cases)', () => {
    for (let i = 0; i < 20_000; i++) {
      const size = i % 3 === 0 ? 5 + (i % 600) : 1 + (i % 64);
      const data = randomBytes(size);
      if (i % 2 === 0) data[0] = 0x16; // mostly past the first-byte check
      if (i % 4 === 0 && size > 2) data[1] = 3;
      if (i % 8 === 0 && size > 5) data[5] = 1;
      const result = parseClientHello(data);
      if (!result.complete) {
        expect(result.needed).toBeGreaterThan(data.length);
        expect(result.needed).toBeLessThanOrEqual(WAIT_BOUND);
      }
    }
  });

  it('reaches a decision within the bound however the stream goes on (garbage after a valid header)', () => {
    for (let walk = 0; walk < 4; walk++) {
      // A ClientHello header that promises 16383 bytes, full records, then random bytes to the end.
      const head = Buffer.from([0x16, 3, 1, 0x40, 0x00, 1, 0, 0x3f, 0xff]);
      const stream = Buffer.concat([head, randomBytes(WAIT_BOUND)]);
      for (let r = 1; r <= walk; r++) stream.set([0x16, 3, 3, 0x40, 0x00], r * (16384 + 5)); // more handshake records
      if (walk > 0) stream.writeUIntBE(0xffffff, 6, 3); // a message longer than the bound: refused at once
      const { result, consumed } = feed(stream, 997);
      expect(result.complete).toBe(true);
      expect(consumed).toBeLessThanOrEqual(WAIT_BOUND);
    }
  });
});

describe('ClientHelloCollector: chunks until the parser decides', () => {
  it('a hello a byte at a time: nothing until its last byte, then every byte and the name', () => {
    const hello = withName('Collect.Example.Test');
    const collector = new ClientHelloCollector();
    for (let i = 0; i < hello.length - 1; i++) expect(collector.add(hello.subarray(i, i + 1))).toBeNull();
    const decided = collector.add(hello.subarray(hello.length - 1));
    expect(decided?.servername).toBe('Collect.Example.Test');
    expect(decided?.data.equals(hello)).toBe(true);
  });

  it('garbage is decided at once, with no name', () => {
    expect(new ClientHelloCollector().add(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual({ data: Buffer.from('GET / HTTP/1.1\r\n'), servername: null });
  });
});
