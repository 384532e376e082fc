// lib/certs/verify.ts's `ca` option (tlsCaOption): parsed once per distinct set of roots and shared
// by the connections that give the same ones, each certificate in an ArrayBuffer of its own (a slice
// of Buffer's pool would keep the whole pool slab alive for as long as a connection holds it).
import { createRequire } from 'node:module';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tlsCaOption } from '../../lib/certs/verify';

const require = createRequire(import.meta.url);
const { makeTestPki } = require('../support/pki.cjs');
const pki = makeTestPki();

describe('tlsCaOption', () => {
  it('gives the DER of each PEM certificate, each in an ArrayBuffer of its own', () => {
    const roots = tlsCaOption([pki.root.certPem, pki.intermediate.certPem])!;
    expect(roots.map((der) => new X509Certificate(der).subject)).toEqual([new X509Certificate(pki.root.certPem).subject, new X509Certificate(pki.intermediate.certPem).subject]);
    for (const der of roots) {
      expect(der.byteOffset).toBe(0);
      expect(der.buffer.byteLength).toBe(der.length);
    }
  });

  it('the same roots again (a new string with the same text, a new array): the same certificates, in a new array', () => {
    const first = tlsCaOption([pki.root.certPem])!;
    const second = tlsCaOption([`${pki.root.certPem}`.slice(0)])!;
    expect(second).not.toBe(first);
    expect(second[0]).toBe(first[0]);
    second.pop(); // the caller's array is the caller's: the next call is unaffected
    expect(tlsCaOption([pki.root.certPem])).toHaveLength(1);
  });

  it('DER given as bytes is keyed by its content: changed bytes are parsed anew, not served from the cache', () => {
    const der = Buffer.from(new X509Certificate(pki.root.certPem).raw);
    const first = tlsCaOption(der)!;
    expect(first[0].equals(der)).toBe(true);
    expect(first[0]).not.toBe(der); // a copy: the caller may reuse its Buffer
    der[der.length - 1] ^= 0xff;
    const second = tlsCaOption(der)!;
    expect(second[0].equals(der)).toBe(true);
    expect(second[0].equals(first[0])).toBe(false);
  });

  it('a bad entry is still refused every time (nothing is cached for it)', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => tlsCaOption(['not a certificate'])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
      expect(() => tlsCaOption([5])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    }
  });
});
