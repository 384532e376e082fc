// Node's `key` + `cert` options, turned into the PKCS#12 Schannel imports. Memoised: the blob has a
// random salt, and a new one per connection would defeat the credential cache.
import { createHash } from 'node:crypto';
import { createPkcs12 } from '../certs/pkcs12';
import type { AcquireCredentialsOptions } from '../sspi';
import { invalidArgType, invalidArgValue } from '../sspi/errors';

type Pem = string | Buffer;
const made = new Map<string, Buffer>();
const MAX_ENTRIES = 32;

function list(value: Pem | readonly Pem[], name: string): Pem[] {
  const items = Array.isArray(value) ? value : [value];
  items.forEach((item, i) => {
    if (typeof item !== 'string' && !Buffer.isBuffer(item)) throw invalidArgType(`${name}[${i}]`, ['string', 'Buffer'], item);
  });
  return items as Pem[];
}

/** The PFX for `key` + `cert` (and the chain after it), or undefined when neither is given. */
export function identityFromPem(options: { key?: Pem | readonly Pem[]; cert?: Pem | readonly Pem[]; passphrase?: string }): Buffer | undefined {
  if (options.key === undefined && options.cert === undefined) return undefined;
  if (options.key === undefined || options.cert === undefined) {
    throw invalidArgValue(options.key === undefined ? 'options.key' : 'options.cert', undefined, 'is needed with the other (key and cert go together)');
  }
  const keys = list(options.key, 'options.key');
  const certs = list(options.cert, 'options.cert');
  const hash = createHash('sha256');
  for (const part of [...keys, '\0', ...certs, '\0', options.passphrase ?? '']) hash.update(part);
  const id = hash.digest('hex');
  let pfx = made.get(id);
  if (!pfx) {
    pfx = createPkcs12({ key: keys[0], certificates: certs, keyPassphrase: options.passphrase });
    made.set(id, pfx);
    if (made.size > MAX_ENTRIES) made.delete(made.keys().next().value as string);
  }
  return pfx;
}

/**
 * The certificate part of a credential for TLS options, in the one order every caller uses: `key` +
 * `cert` (as the PFX above), else a store `certificate`, else `pfx` + `passphrase`; {} for none.
 */
export function credentialIdentity(options: {
  key?: Pem | readonly Pem[];
  cert?: Pem | readonly Pem[];
  passphrase?: string;
  pfx?: AcquireCredentialsOptions['pfx'];
  certificate?: AcquireCredentialsOptions['certificate'];
}): Pick<AcquireCredentialsOptions, 'pfx' | 'passphrase' | 'certificate'> {
  const fromPem = identityFromPem(options);
  if (fromPem) return { pfx: fromPem, passphrase: '' };
  if (options.certificate !== undefined) return { certificate: options.certificate };
  return options.pfx === undefined ? {} : { pfx: options.pfx, passphrase: options.passphrase };
}
