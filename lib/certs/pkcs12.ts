// A minimal PKCS#12 (RFC 7292) writer, so that Node's `key` + `cert` options can be handed to
// Schannel, which takes certificates with keys through PFXImportCertStore. The key is shrouded with
// pbeWithSHAAnd3-KeyTripleDES-CBC and the whole is MAC'd with HMAC-SHA1: the combination every
// Windows version reads. Only node:crypto is used.
import { createCipheriv, createHash, createHmac, createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';

// --- DER ----------------------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);
const octets = (data: Buffer) => tlv(0x04, data);
const explicit0 = (...items: Buffer[]) => tlv(0xa0, ...items);
const integer = (n: number): Buffer => {
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>>= 8) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
};
function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [parts[0] * 40 + parts[1]];
  for (const part of parts.slice(2)) {
    const chunk = [part & 0x7f];
    for (let v = part >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}
const bmpString = (text: string) => tlv(0x1e, Buffer.from(text, 'utf16le').swap16());

const OID = {
  data: '1.2.840.113549.1.7.1',
  certBag: '1.2.840.113549.1.12.10.1.3',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
  pbeSha1TripleDes: '1.2.840.113549.1.12.1.3',
  sha1: '1.3.14.3.2.26',
};

// --- the PKCS#12 key derivation (RFC 7292 appendix B.2), SHA-1 ----------------------------------

function deriveKey(password: Buffer, salt: Buffer, id: 1 | 2 | 3, iterations: number, size: number): Buffer {
  const u = 20;
  const v = 64;
  const fill = (data: Buffer) => {
    if (data.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(data.length / v));
    for (let i = 0; i < out.length; i += 1) out[i] = data[i % data.length];
    return out;
  };
  const d = Buffer.alloc(v, id);
  const i = Buffer.concat([fill(salt), fill(password)]);
  const result: Buffer[] = [];
  for (let produced = 0; produced < size; produced += u) {
    let a = createHash('sha1').update(d).update(i).digest();
    for (let r = 1; r < iterations; r += 1) a = createHash('sha1').update(a).digest();
    result.push(a);
    const b = Buffer.alloc(v);
    for (let k = 0; k < v; k += 1) b[k] = a[k % u];
    for (let offset = 0; offset < i.length; offset += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k -= 1) {
        const sum = i[offset + k] + b[k] + carry;
        i[offset + k] = sum & 0xff;
        carry = sum >>> 8;
      }
    }
  }
  return Buffer.concat(result).subarray(0, size);
}

// BMPString of the password with its two-byte terminator, as the KDF wants it.
const passwordBytes = (passphrase: string) => Buffer.concat([Buffer.from(passphrase, 'utf16le').swap16(), Buffer.alloc(2)]);

export interface Pkcs12Input {
  /** The private key (PEM or DER, any format node:crypto reads). */
  key: string | Buffer;
  /** The certificate first, then the chain (PEM text with one or more certificates, or DER). */
  certificates: (string | Buffer)[];
  passphrase?: string;
  /** The key's passphrase when `key` is encrypted PEM. */
  keyPassphrase?: string;
  friendlyName?: string;
}

/** Splits PEM text into DER certificates; DER input is passed through. */
export function certificatesToDer(input: string | Buffer): Buffer[] {
  const text = Buffer.isBuffer(input) ? input.toString('latin1') : input;
  if (!text.includes('-----BEGIN CERTIFICATE-----')) return [Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1')];
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) =>
    Buffer.from(m[1].replace(/\s+/g, ''), 'base64'),
  );
}

const ITERATIONS = 2048;

/** A PKCS#12 blob holding the key and the certificates, protected by `passphrase` (default ''). */
export function createPkcs12(input: Pkcs12Input): Buffer {
  const passphrase = input.passphrase ?? '';
  const password = passwordBytes(passphrase);
  const key = createPrivateKey({ key: input.key, passphrase: input.keyPassphrase });
  const keyInfo = key.export({ type: 'pkcs8', format: 'der' });
  const ders = input.certificates.flatMap(certificatesToDer);
  if (ders.length === 0) throw new TypeError('createPkcs12 needs at least one certificate');
  // The leaf must be the certificate of this key; X509Certificate.checkPrivateKey says which.
  const leafIndex = Math.max(0, ders.findIndex((der) => new X509Certificate(der).checkPrivateKey(key)));
  const localKeyId = createHash('sha1').update(ders[leafIndex]).digest();
  const keyAttributes = [sequence(oid(OID.localKeyId), set(octets(localKeyId)))];
  if (input.friendlyName) keyAttributes.push(sequence(oid(OID.friendlyName), set(bmpString(input.friendlyName))));

  const salt = randomBytes(8);
  const cipher = createCipheriv('des-ede3-cbc', deriveKey(password, salt, 1, ITERATIONS, 24), deriveKey(password, salt, 2, ITERATIONS, 8));
  const encryptedKey = Buffer.concat([cipher.update(keyInfo), cipher.final()]);
  const keyBag = sequence(
    oid(OID.shroudedKeyBag),
    explicit0(sequence(sequence(oid(OID.pbeSha1TripleDes), sequence(octets(salt), integer(ITERATIONS))), octets(encryptedKey))),
    set(...keyAttributes),
  );
  const certBags = ders.map((der, i) =>
    sequence(
      oid(OID.certBag),
      explicit0(sequence(oid(OID.x509Certificate), explicit0(octets(der)))),
      ...(i === leafIndex ? [set(sequence(oid(OID.localKeyId), set(octets(localKeyId))))] : []),
    ),
  );
  const contentInfo = (safeContents: Buffer) => sequence(oid(OID.data), explicit0(octets(safeContents)));
  const authSafe = sequence(contentInfo(sequence(...certBags)), contentInfo(sequence(keyBag)));

  const macSalt = randomBytes(8);
  const mac = createHmac('sha1', deriveKey(password, macSalt, 3, ITERATIONS, 20)).update(authSafe).digest();
  return sequence(
    integer(3),
    contentInfo(authSafe),
    sequence(sequence(sequence(oid(OID.sha1), tlv(0x05)), octets(mac)), octets(macSalt), integer(ITERATIONS)),
  );
}
