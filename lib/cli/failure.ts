// One clear line per failure: the code, what it means, what to try. No stack unless --debug.
const hints: Record<string, string> = {
  CERT_HAS_EXPIRED: 'the server certificate has expired; renew it, or check this machine\'s clock',
  CERT_NOT_YET_VALID: 'the server certificate is not valid yet; check this machine\'s clock',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server uses a self-signed certificate; pass it with --ca FILE, or --insecure to look anyway',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a root this machine does not trust; pass the root with --ca FILE or add it to the Windows ROOT store',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'no trusted root for this chain; pass the root with --ca FILE or add it to the Windows ROOT store',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server did not send its intermediate certificate; fix the server, or pass the intermediate and root with --ca',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is for another name; connect with a name it lists (see `schannel probe`)',
  CERT_REVOKED: 'the certificate has been revoked by its issuer',
  ECONNREFUSED: 'nothing is listening there; check the host and port',
  ENOTFOUND: 'the host name does not resolve',
  ECONNRESET: 'the server closed the connection; it may not speak TLS on this port, or refused our protocols',
  ETIMEDOUT: 'no answer in time',
  ERR_SCHANNEL_UNSUPPORTED: 'Schannel exists only on Windows; on Linux use scripts/wine-node',
  SEC_E_ALGORITHM_MISMATCH: 'no protocol or cipher in common with the server; try --max-version or check the server\'s configuration',
  SEC_E_ILLEGAL_MESSAGE: 'the server sent something that is not TLS, or an alert; it may not speak TLS on this port',
  SEC_E_INTERNAL_ERROR: 'Schannel failed inside; on Wine this is also how a TLS 1.3-only server or a required client certificate shows',
};

export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
}

export function describeFailure(error: unknown): string {
  const e = error as Error & { code?: string; statusName?: string; status?: number };
  const code = e.code ?? e.name ?? 'ERROR';
  const windows = e.statusName && e.statusName !== code ? ` (Windows: ${e.statusName}${e.status !== undefined ? ` 0x${(e.status >>> 0).toString(16).toUpperCase().padStart(8, '0')}` : ''})` : '';
  const hint = hints[code];
  return `schannel: ${code}: ${e.message}${windows}${hint ? `\n  try: ${hint}` : ''}`;
}
