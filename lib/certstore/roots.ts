// The Windows trusted roots for OpenSSL-based code: as PEM (the approach of win-ca), and added to
// node:tls's default CA list.
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { SchannelError } from '../sspi/errors';
import { validateBoolean, validateObject } from '../sspi/validate';
import type { CertificateInfo } from './info';
import { storeLocations } from './options';
import { listCertificates } from './stores';

export interface SystemRootOptions {
  /** Also the intermediate CAs of the CA stores (default false: only the ROOT stores). */
  includeIntermediates?: boolean;
}

function validateRootOptions(options: unknown): boolean {
  validateObject(options, 'options');
  const value = (options as SystemRootOptions).includeIntermediates;
  if (value !== undefined) validateBoolean(value, 'options.includeIntermediates');
  return value === true;
}

/** The certificates of ROOT (and CA) for CurrentUser and LocalMachine, one per thumbprint. */
export function systemRootCertificates(options: SystemRootOptions = {}): CertificateInfo[] {
  const stores = validateRootOptions(options) ? ['ROOT', 'CA'] : ['ROOT'];
  const seen = new Map<string, CertificateInfo>();
  for (const store of stores) {
    for (const location of storeLocations) {
      let certificates: CertificateInfo[];
      try {
        certificates = listCertificates({ location, store });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_SCHANNEL_STORE_NOT_FOUND') continue;
        throw error;
      }
      for (const certificate of certificates) if (!seen.has(certificate.thumbprint)) seen.set(certificate.thumbprint, certificate);
    }
  }
  return [...seen.values()];
}

/**
 * The trusted roots of Windows (ROOT of CurrentUser and LocalMachine; with `includeIntermediates`,
 * CA too), deduplicated, as PEM strings: what `ca` of node:tls, undici or curl takes. Every
 * certificate of the stores is given (expired or purpose-restricted ones too), as win-ca does;
 * certificates Node cannot parse are left out.
 */
export function exportSystemRootCertificates(options: SystemRootOptions = {}): string[] {
  return systemRootCertificates(options).map((c) => c.pem);
}

type TlsWithDefaults = typeof tls & {
  getCACertificates?: (type?: 'default' | 'system' | 'bundled' | 'extra') => string[];
  setDefaultCACertificates?: (certs: string[]) => void;
};

/**
 * Adds the Windows roots (see exportSystemRootCertificates) to node:tls's default CA list, so every
 * later node:tls connection without its own `ca` (https, fetch, tls.connect) trusts them as well as
 * Node's bundled roots. Returns how many certificates were added (those already there are not).
 * Needs tls.setDefaultCACertificates (Node 22.19+ / 24.5+); on older versions it throws
 * ERR_SCHANNEL_NODE_TOO_OLD: pass exportSystemRootCertificates() as `ca` there, or start node
 * with --use-system-ca (22.15+ / 23.8+).
 */
export function useSystemCertificates(options: SystemRootOptions = {}): number {
  validateRootOptions(options);
  const api = tls as TlsWithDefaults;
  if (typeof api.setDefaultCACertificates !== 'function' || typeof api.getCACertificates !== 'function') {
    throw new SchannelError(
      `useSystemCertificates() needs tls.setDefaultCACertificates (Node 22.19+ or 24.5+; this is ${process.version}). ` +
        'Pass exportSystemRootCertificates() as `ca`, or start node with --use-system-ca.',
      { code: 'ERR_SCHANNEL_NODE_TOO_OLD', nodeVersion: process.version },
    );
  }
  const current = api.getCACertificates('default');
  const have = new Set<string>();
  for (const pem of current) {
    try {
      have.add(new X509Certificate(pem).fingerprint256);
    } catch {
      // a default certificate Node itself could not parse: nothing to compare with
    }
  }
  const added = systemRootCertificates(options).filter((c) => !have.has(c.fingerprint256));
  if (added.length > 0) api.setDefaultCACertificates([...current, ...added.map((c) => c.pem)]);
  return added.length;
}
