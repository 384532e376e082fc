// The handshake report of `schannel probe` and `schannel get -v`.
import type { SchannelSocket } from '../tls/socket';

function ms(from: number | null | undefined, to: number | null | undefined): string {
  return from == null || to == null ? '-' : `${(to - from).toFixed(1)} ms`;
}

function describeName(name: Record<string, unknown> | undefined): string {
  if (!name) return '';
  return Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ');
}

export function handshakeReport(socket: SchannelSocket, target: string): string {
  const lines: string[] = [];
  const cipher = socket.getCipher();
  lines.push(`* connected to ${target} (${socket.remoteAddress ?? '?'} port ${socket.remotePort ?? '?'}) over Schannel`);
  lines.push(`* protocol: ${socket.getProtocol() ?? 'unknown'}`);
  // Schannel's (IANA) name, which Windows tools print, then OpenSSL's, which curl and node print.
  const openSslName = cipher && cipher.name !== cipher.standardName ? ` (${cipher.name})` : '';
  lines.push(`* cipher:   ${cipher ? `${cipher.standardName}${openSslName}` : 'unknown'}`);
  lines.push(`* ALPN:     ${socket.alpnProtocol || 'none'}`);
  lines.push(`* SNI:      ${socket.servername || 'none'}`);
  lines.push(`* resumed:  ${socket.isSessionReused() ? 'yes' : 'no'}`);
  let cert = socket.getPeerCertificate(true);
  let depth = 0;
  const seen = new Set<unknown>();
  lines.push('* peer chain:');
  while (cert && cert.raw && !seen.has(cert)) {
    seen.add(cert);
    lines.push(`  ${depth} subject: ${describeName(cert.subject)}`);
    lines.push(`    issuer:  ${describeName(cert.issuer)}`);
    if (cert.subjectaltname) lines.push(`    names:   ${cert.subjectaltname}`);
    lines.push(`    valid:   ${cert.valid_from} .. ${cert.valid_to}`);
    lines.push(`    sha256:  ${cert.fingerprint256}`);
    if (cert.issuerCertificate === cert) break;
    cert = cert.issuerCertificate;
    depth += 1;
  }
  lines.push(
    socket.authorized
      ? '* verdict:  trusted (Windows chain engine, SSL policy, host name checked)'
      : `* verdict:  NOT trusted: ${socket.authorizationError}`,
  );
  const t = socket.timings;
  const overlapped = t.validation != null && t.handshake != null && t.validation < t.handshake ? ' (began during the handshake)' : '';
  lines.push(`* timing:   tcp ${ms(t.start, t.connect)}, tls handshake ${ms(t.connect, t.handshake)}, validation ${ms(t.validation, t.secure)}${overlapped}, total ${ms(t.start, t.secure)}`);
  return lines.join('\n');
}
