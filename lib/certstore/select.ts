// Choosing a client certificate for a server that asked for one. The server's CertificateRequest
// lists the CA names it accepts (Schannel: SecPkgContext_IssuerListInfoEx, DER-encoded Names); the
// default policy picks a store certificate that can sign, is meant for client authentication, is
// valid now, and chains up to one of those names.
import { certificateNames } from './der';
import type { CertificateInfo } from './info';
import { validateOptionsObject, validatePlace, type StoreOptions } from './options';
import { listCertificates } from './stores';
import { systemRootCertificates } from './roots';
import { invalidArgType, invalidArgValue } from '../sspi/errors';
import { validateArray, validateBufferLike, validateObject } from '../sspi/validate';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_PURPOSE = '2.5.29.37.0';
const MAX_DEPTH = 8;

export interface SelectClientCertificateOptions {
  /** The time the certificate must be valid at (default now). */
  now?: Date;
  /** CA certificates to build chains through (intermediates and roots), e.g. the CA and ROOT stores. */
  chainCertificates?: readonly CertificateInfo[];
}

// The policy reads these fields of a description (describeCertificate()'s or listCertificates()');
// a look-alike missing one would be skipped or judged wrongly, so it is refused instead.
function validateCandidate(value: unknown, name: string): asserts value is CertificateInfo {
  validateObject(value, name);
  if (!(value.raw instanceof Uint8Array)) throw invalidArgType(`${name}.raw`, ['Buffer', 'Uint8Array'], value.raw);
  for (const key of ['validFrom', 'validTo'] as const) {
    if (!(value[key] instanceof Date)) throw invalidArgType(`${name}.${key}`, 'Date', value[key]);
  }
  for (const key of ['keyUsage', 'extKeyUsage'] as const) validateArray(value[key], `${name}.${key}`);
  if (typeof value.thumbprint !== 'string') throw invalidArgType(`${name}.thumbprint`, 'string', value.thumbprint);
}

function validateIssuers(value: unknown): Buffer[] {
  validateArray(value, 'issuers');
  return value.map((name, i) => validateBufferLike(name, `issuers[${i}]`));
}

function validateSelectOptions(options: unknown): asserts options is SelectClientCertificateOptions {
  validateObject(options, 'options');
  const { now, chainCertificates } = options;
  if (now !== undefined) {
    if (!(now instanceof Date)) throw invalidArgType('options.now', 'Date', now);
    if (Number.isNaN(now.getTime())) throw invalidArgValue('options.now', now, 'must be a valid date');
  }
  if (chainCertificates !== undefined) {
    validateArray(chainCertificates, 'options.chainCertificates');
    chainCertificates.forEach((c, i) => validateCandidate(c, `options.chainCertificates[${i}]`));
  }
}

/** Why a candidate was refused, or null when it is acceptable (exported for tests and diagnostics). */
export function clientCertificateProblem(
  candidate: CertificateInfo,
  issuers: readonly Uint8Array[],
  options: SelectClientCertificateOptions = {},
): string | null {
  validateCandidate(candidate, 'candidate');
  const names = validateIssuers(issuers);
  validateSelectOptions(options);
  return problemOf(candidate, names, options);
}

function problemOf(candidate: CertificateInfo, issuers: readonly Buffer[], options: SelectClientCertificateOptions): string | null {
  const now = options.now ?? new Date();
  if (!candidate.hasPrivateKey) return 'no private key';
  if (candidate.extKeyUsage.length > 0 && !candidate.extKeyUsage.includes(CLIENT_AUTH) && !candidate.extKeyUsage.includes(ANY_PURPOSE)) {
    return 'not for client authentication (extendedKeyUsage)';
  }
  if (candidate.keyUsage.length > 0 && !candidate.keyUsage.includes('digitalSignature')) return 'cannot sign (keyUsage)';
  if (now < candidate.validFrom) return 'not yet valid';
  if (now > candidate.validTo) return 'expired';
  if (issuers.length > 0 && !chainsTo(candidate, issuers, options.chainCertificates ?? [])) return 'issued by none of the accepted CAs';
  return null;
}

/** Whether the certificate's chain (through `pool`, by name) reaches one of the DER names in `issuers`. */
function chainsTo(candidate: CertificateInfo, accepted: readonly Buffer[], pool: readonly CertificateInfo[]): boolean {
  const isAccepted = (name: Buffer) => accepted.some((a) => a.equals(name));
  const poolNames = pool.map((c) => ({ c, ...certificateNames(c.raw) }));
  let current = certificateNames(candidate.raw);
  if (isAccepted(current.subject)) return true;
  const visited = new Set<string>([candidate.thumbprint]);
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (isAccepted(current.issuer)) return true;
    if (current.issuer.equals(current.subject)) return false; // self-issued: the top
    const parent = poolNames.find((p) => p.subject.equals(current.issuer) && !visited.has(p.c.thumbprint));
    if (!parent) return false;
    visited.add(parent.c.thumbprint);
    current = parent;
  }
  return false;
}

function preference(a: CertificateInfo, b: CertificateInfo): number {
  // An explicit clientAuth purpose first, then the one valid longest, then a stable order.
  const explicit = (c: CertificateInfo) => (c.extKeyUsage.includes(CLIENT_AUTH) ? 0 : 1);
  return explicit(a) - explicit(b) || b.validTo.getTime() - a.validTo.getTime() || a.thumbprint.localeCompare(b.thumbprint);
}

/**
 * The default client-certificate policy. `issuers` are the DER-encoded distinguished names the
 * server accepts (an empty list means any CA, as in TLS); `candidates` are e.g. listCertificates()
 * of CurrentUser\MY. A candidate qualifies when it has a private key, its extendedKeyUsage is absent
 * or includes clientAuth (or anyExtendedKeyUsage), its keyUsage (if present) includes
 * digitalSignature, it is valid at `now`, and it or an issuer up its chain (built by name through
 * `chainCertificates`) is named in `issuers`. Among those, one with an explicit clientAuth purpose
 * wins, then the one that stays valid longest. Returns null when none qualifies.
 */
export function selectClientCertificate(
  issuers: readonly Uint8Array[],
  candidates: readonly CertificateInfo[],
  options: SelectClientCertificateOptions = {},
): CertificateInfo | null {
  const names = validateIssuers(issuers);
  validateArray(candidates, 'candidates');
  candidates.forEach((c, i) => validateCandidate(c, `candidates[${i}]`));
  validateSelectOptions(options);
  const fit = candidates.filter((c) => problemOf(c, names, options) === null);
  return fit.sort(preference)[0] ?? null;
}

/**
 * selectClientCertificate over a system store (default CurrentUser\MY), building chains through the
 * CA and ROOT stores of both locations. Windows only (the stores are read).
 */
export function selectClientCertificateFromStore(
  issuers: readonly Uint8Array[],
  options: StoreOptions & { now?: Date } = {},
): CertificateInfo | null {
  const place = validatePlace(validateOptionsObject(options));
  validateArray(issuers, 'issuers');
  const candidates = listCertificates(place);
  const chainCertificates = issuers.length > 0 ? systemRootCertificates({ includeIntermediates: true }) : [];
  return selectClientCertificate(issuers, candidates, { now: options.now, chainCertificates });
}
