// A seeded PRNG and the byte mutators of the fuzzer. Everything here is deterministic in the seed
// (no Math.random), so a case is reproduced from (seed, case index) and its base input.

/** mulberry32: a small, fast 32-bit PRNG. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const below = (n) => (n <= 0 ? 0 : next() % n);
  return {
    next,
    /** An integer in [0, n). */
    below,
    /** An integer in [lo, hi]. */
    between: (lo, hi) => lo + below(hi - lo + 1),
    chance: (p) => next() / 0x100000000 < p,
    pick: (list) => list[below(list.length)],
    bytes: (n) => {
      const out = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) out[i] = next() & 0xff;
      return out;
    },
  };
}

/** The seed of one case: the run's seed and the case's index, mixed (splitmix-style). */
export function caseSeed(seed, index) {
  let x = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Offsets of the TLS record headers in `buf` (as far as its lengths chain). */
export function recordOffsets(buf) {
  const out = [];
  for (let at = 0; at + 5 <= buf.length; at += 5 + buf.readUInt16BE(at + 3)) out.push(at);
  return out;
}

/** Offsets of the handshake message headers inside plaintext handshake records (type 22). */
export function handshakeOffsets(buf) {
  const out = [];
  for (const rec of recordOffsets(buf)) {
    if (buf[rec] !== 22) continue;
    const end = Math.min(buf.length, rec + 5 + buf.readUInt16BE(rec + 3));
    for (let at = rec + 5; at + 4 <= end; at += 4 + buf.readUIntBE(at + 1, 3)) out.push(at);
  }
  return out;
}

// Interesting lengths: empty, tiny, TLS limits and one either side of them.
const RECORD_LENGTHS = [0, 1, 2, 0x3fff, 0x4000, 0x4001, 0x4000 + 256, 0x4000 + 2048, 0x4000 + 2049, 0x7fff, 0xffff];
const HANDSHAKE_LENGTHS = [0, 1, 3, 4, 0xff, 0x3fff, 0x4000, 0x10000, 0xffffff];

/** Each mutator takes (buf, rng, other) and returns a new Buffer; `buf` is never changed. */
export const mutators = {
  bitFlip(buf, r) {
    const out = Buffer.from(buf);
    for (let n = r.between(1, 4); n > 0 && out.length > 0; n--) out[r.below(out.length)] ^= 1 << r.below(8);
    return out;
  },
  byteSet(buf, r) {
    const out = Buffer.from(buf);
    for (let n = r.between(1, 4); n > 0 && out.length > 0; n--) out[r.below(out.length)] = r.pick([0, 0xff, 0x7f, 0x80, 1, r.next() & 0xff]);
    return out;
  },
  truncate(buf, r) {
    return Buffer.from(buf.subarray(0, r.below(buf.length)));
  },
  /** Cuts a range out of the middle. */
  erase(buf, r) {
    const from = r.below(buf.length);
    const to = from + r.between(1, Math.max(1, buf.length - from));
    return Buffer.concat([buf.subarray(0, from), buf.subarray(to)]);
  },
  extend(buf, r) {
    const extra = r.bytes(r.pick([1, 5, 16, 300, 17000]));
    return r.chance(0.8) ? Buffer.concat([buf, extra]) : Buffer.concat([extra, buf]);
  },
  /** The start of this input followed by the end of another (both from the corpus). */
  splice(buf, r, other) {
    return Buffer.concat([buf.subarray(0, r.below(buf.length + 1)), other.subarray(r.below(other.length + 1))]);
  },
  duplicateRange(buf, r) {
    if (buf.length === 0) return Buffer.from(buf);
    const from = r.below(buf.length);
    const to = from + r.between(1, Math.min(buf.length - from, 512));
    const at = r.below(buf.length + 1);
    return Buffer.concat([buf.subarray(0, at), buf.subarray(from, to), buf.subarray(at)]);
  },
  recordLength(buf, r) {
    const out = Buffer.from(buf);
    const records = recordOffsets(out);
    if (records.length === 0) return mutators.byteSet(buf, r);
    const at = r.pick(records);
    const old = out.readUInt16BE(at + 3);
    out.writeUInt16BE(r.chance(0.3) ? (old + r.pick([1, -1, 2, -2])) & 0xffff : r.pick(RECORD_LENGTHS), at + 3);
    return out;
  },
  handshakeLength(buf, r) {
    const out = Buffer.from(buf);
    const messages = handshakeOffsets(out);
    if (messages.length === 0) return mutators.recordLength(buf, r);
    const at = r.pick(messages);
    const old = out.readUIntBE(at + 1, 3);
    out.writeUIntBE(r.chance(0.3) ? (old + r.pick([1, -1, 4, -4]) + 0x1000000) % 0x1000000 : r.pick(HANDSHAKE_LENGTHS), at + 1, 3);
    return out;
  },
  /** A record's content type or version, or a handshake message's type. */
  recordHeader(buf, r) {
    const out = Buffer.from(buf);
    const records = recordOffsets(out);
    if (records.length === 0) return mutators.bitFlip(buf, r);
    const at = r.pick(records);
    switch (r.below(3)) {
      case 0: out[at] = r.pick([20, 21, 22, 23, 24, 0, 0x80, 0xff]); break;
      case 1: out.writeUInt16BE(r.pick([0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x0000, 0xffff, 0x0203]), at + 1); break;
      default: {
        const messages = handshakeOffsets(out);
        if (messages.length > 0) out[r.pick(messages)] = r.pick([0, 1, 2, 4, 11, 12, 13, 14, 15, 16, 20, 24, 0xff]);
      }
    }
    return out;
  },
  random(buf, r) {
    // Random bytes, sometimes behind a plausible record header so they get past the first check.
    const body = r.bytes(r.pick([0, 1, 4, 5, 64, 512, buf.length]));
    if (!r.chance(0.5)) return body;
    const header = Buffer.from([buf[0] ?? 22, 3, r.pick([1, 3]), body.length >> 8, body.length & 0xff]);
    return Buffer.concat([header, body]);
  },
};

export const mutatorNames = Object.keys(mutators);

/**
 * One mutated input: 1 to 3 mutators in a row (all-random stands alone). Returns the bytes and
 * the names of the mutators applied, for the report.
 */
export function mutate(buf, r, other = buf) {
  const name = r.pick(mutatorNames);
  if (name === 'random') return { data: mutators.random(buf, r), steps: ['random'] };
  let data = mutators[name](buf, r, other);
  const steps = [name];
  for (let n = r.chance(0.3) ? r.between(1, 2) : 0; n > 0; n--) {
    const next = r.pick(mutatorNames.filter((m) => m !== 'random'));
    data = mutators[next](data, r, other);
    steps.push(next);
  }
  return { data, steps };
}
