// Options shared by the commands that connect: trust, names, protocols.
import { readFileSync } from 'node:fs';
import type { ConnectOptions } from '../tls/connect';
import { UsageError } from './failure';

export interface TlsFlags {
  ca?: string;
  insecure?: boolean;
  servername?: string;
  alpn?: string;
  'min-version'?: string;
  'max-version'?: string;
  revocation?: string;
  'cert-thumbprint'?: string;
  'cert-store'?: string;
  'cert-location'?: string;
}

export const tlsOptionSpec = {
  ca: { type: 'string' },
  insecure: { type: 'boolean', short: 'k' },
  servername: { type: 'string' },
  alpn: { type: 'string' },
  'min-version': { type: 'string' },
  'max-version': { type: 'string' },
  revocation: { type: 'string' },
  'cert-thumbprint': { type: 'string' },
  'cert-store': { type: 'string' },
  'cert-location': { type: 'string' },
} as const;

/** A CA file: PEM (one or more certificates) or DER. */
function readCa(file: string): string | Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read --ca ${file}: ${(error as Error).message}`);
  }
  const text = bytes.toString('latin1');
  return text.includes('-----BEGIN CERTIFICATE-----') ? text : bytes;
}

export function connectOptions(flags: TlsFlags): Partial<ConnectOptions> {
  const options: Partial<ConnectOptions> = {};
  if (flags.ca) options.ca = readCa(flags.ca);
  if (flags.insecure) options.rejectUnauthorized = false;
  if (flags.servername) options.servername = flags.servername;
  if (flags.alpn) options.ALPNProtocols = flags.alpn.split(',').map((p) => p.trim()).filter(Boolean);
  if (flags['min-version']) options.minVersion = flags['min-version'] as ConnectOptions['minVersion'];
  if (flags['max-version']) options.maxVersion = flags['max-version'] as ConnectOptions['maxVersion'];
  if (flags.revocation) options.revocation = flags.revocation as ConnectOptions['revocation'];
  if (flags['cert-thumbprint']) {
    options.certificate = {
      thumbprint: flags['cert-thumbprint'],
      store: flags['cert-store'] ?? 'MY',
      location: (flags['cert-location'] ?? 'CurrentUser') as 'CurrentUser' | 'LocalMachine',
    };
  } else if (flags['cert-store'] || flags['cert-location']) {
    throw new UsageError('--cert-store and --cert-location go with --cert-thumbprint');
  }
  return options;
}

/** HOST[:PORT] or [IPv6]:PORT. */
export function hostAndPort(target: string, defaultPort: number): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(target);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : defaultPort };
  const parts = target.split(':');
  if (parts.length === 2 && /^\d+$/.test(parts[1])) return { host: parts[0], port: Number(parts[1]) };
  if (parts.length > 2) return { host: target, port: defaultPort }; // a bare IPv6 address
  return { host: target, port: defaultPort };
}
