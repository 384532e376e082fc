// `schannel certs list|show|export-roots`: the Windows certificate stores from the command line.
import { parseArgs } from 'node:util';
import { commonName, type CertificateInfo } from '../certstore/info';
import { exportSystemRootCertificates } from '../certstore/roots';
import { findCertificate, listCertificates } from '../certstore/stores';
import { UsageError } from './failure';

export const certsUsage = `  certs list [--store S] [--location L]
                     the certificates of a system store (default CurrentUser MY) as a table
  certs show THUMBPRINT [--store S] [--location L]
                     every field of one certificate, and its PEM
  certs export-roots [--include-intermediates]
                     the trusted roots of Windows (ROOT of CurrentUser and LocalMachine; with the
                     flag, CA too) as PEM, for --ca or another program's CA file
      --store S          MY (default), ROOT, CA, TrustedPeople or another store name
      --location L       CurrentUser (default) or LocalMachine`;

type Out = { write(text: string): unknown };

const day = (date: Date) => (Number.isNaN(date.getTime()) ? '?' : date.toISOString().slice(0, 10));
const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

function nameOf(name: CertificateInfo['subject']): string {
  const cn = commonName(name);
  if (cn) return cn;
  const first = Object.values(name as unknown as Record<string, string | string[]>)[0];
  return Array.isArray(first) ? (first[0] ?? '') : (first ?? '');
}

/** Rows as columns padded to their widest cell, two spaces apart. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

export function certificateTable(certificates: readonly CertificateInfo[]): string {
  const rows = [...certificates]
    .sort((a, b) => nameOf(a.subject).localeCompare(nameOf(b.subject)) || a.thumbprint.localeCompare(b.thumbprint))
    .map((c) => [c.thumbprint, clip(nameOf(c.subject), 40), clip(nameOf(c.issuer), 40), day(c.validTo), c.hasPrivateKey ? 'yes' : 'no']);
  return formatTable(['THUMBPRINT', 'SUBJECT', 'ISSUER', 'VALID TO', 'KEY'], rows);
}

const dn = (name: CertificateInfo['subject']) =>
  Object.entries(name as unknown as Record<string, string | string[]>)
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${key}=${v}`))
    .join(', ');

export function certificateDetails(c: CertificateInfo): string {
  const fields: [string, string][] = [
    ['Subject', dn(c.subject)],
    ['Issuer', dn(c.issuer)],
    ['Subject alt names', c.subjectaltname ?? ''],
    ['Serial number', c.serialNumber],
    ['Thumbprint (SHA-1)', c.thumbprint],
    ['Fingerprint (SHA-256)', c.fingerprint256],
    ['Valid from', c.validFrom.toISOString()],
    ['Valid to', c.validTo.toISOString()],
    ['CA', c.ca ? 'yes' : 'no'],
    ['Private key', c.hasPrivateKey ? 'yes' : 'no'],
    ['Key usage', c.keyUsage.join(', ')],
    ['Extended key usage', c.extKeyUsage.map((oid, i) => (c.extKeyUsageNames[i] === oid ? oid : `${c.extKeyUsageNames[i]} (${oid})`)).join(', ')],
    ['Friendly name', c.friendlyName],
    ['Store', c.location ? `${c.location}\\${c.store}` : ''],
  ];
  const width = Math.max(...fields.map(([k]) => k.length));
  return `${fields.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v || '-'}`).join('\n')}\n\n${c.pem}`;
}

export async function certs(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      store: { type: 'string' },
      location: { type: 'string' },
      'include-intermediates': { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, ...rest] = positionals;
  const place = { store: values.store, location: values.location as 'CurrentUser' | 'LocalMachine' | undefined };
  if (values.location !== undefined && values.location !== 'CurrentUser' && values.location !== 'LocalMachine') {
    throw new UsageError(`--location must be CurrentUser or LocalMachine, not "${values.location}"`);
  }
  switch (action) {
    case 'list': {
      if (rest.length > 0) throw new UsageError('certs list takes no arguments');
      const certificates = listCertificates(place);
      out.write(certificates.length === 0 ? `(no certificates in ${place.location ?? 'CurrentUser'}\\${place.store ?? 'MY'})\n` : `${certificateTable(certificates)}\n`);
      return 0;
    }
    case 'show': {
      if (rest.length !== 1) throw new UsageError('certs show takes one THUMBPRINT');
      out.write(certificateDetails(findCertificate({ ...place, thumbprint: rest[0] })));
      return 0;
    }
    case 'export-roots': {
      if (rest.length > 0) throw new UsageError('certs export-roots takes no arguments');
      if (values.store !== undefined || values.location !== undefined) throw new UsageError('certs export-roots reads ROOT (and CA) of both locations; it takes no --store/--location');
      out.write(exportSystemRootCertificates({ includeIntermediates: values['include-intermediates'] === true }).join(''));
      return 0;
    }
    default:
      throw new UsageError(action ? `unknown certs action "${action}" (list, show, export-roots)` : 'certs needs an action: list, show or export-roots');
  }
}
