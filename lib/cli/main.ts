// The `schannel` command.
import { parseArgs } from 'node:util';
import { certs, certsUsage } from './certs';
import { describeFailure, UsageError } from './failure';
import { get } from './get';
import { tlsOptionSpec } from './options';
import { probe } from './probe';
import { serve, serveOptionSpec } from './serve';

const usage = `usage: schannel <command> [options]

commands:
  get URL            fetch URL over Schannel and print the body
      -v, --verbose      print the handshake report and response headers to stderr
      -o, --output FILE  write the body to FILE
  probe HOST[:PORT]  handshake and print the report: protocol, cipher, ALPN, chain, verdict, timings
                     (exit 0 only when the certificate is trusted)
  serve --pfx FILE   a static HTTPS server over Schannel, files from --dir; stops on SIGINT/SIGTERM
      --passphrase P     the PFX password
      -p, --port N       port to listen on (default 8443; 0: any free port, printed)
      --host H           address to listen on (default localhost)
      -d, --dir DIR      directory to serve (default: the current one); index.html for directories
      --cert-thumbprint T  instead of --pfx: the certificate (and key) from the Windows store
      --cert-store S, --cert-location L   where to find it (default MY, CurrentUser)
${certsUsage}

options for get and probe:
  --ca FILE          trust these roots (PEM or DER) instead of the Windows ROOT store
  -k, --insecure     do not reject an untrusted certificate (the verdict is still reported)
  --servername NAME  SNI and the name to check (default: the host)
  --alpn LIST        ALPN protocols, comma separated
  --min-version V, --max-version V   TLSv1.2, TLSv1.3 ...
  --revocation MODE  strict | best-effort (default) | off
  --cert-thumbprint T  present this client certificate from the Windows store (SHA-1 thumbprint)
      --cert-store S, --cert-location L   where to find it (default MY, CurrentUser)
  --debug            print stack traces
  NODE_DEBUG=schannel traces every SSPI call and status`;

export async function main(argv: string[], io = { out: process.stdout, err: process.stderr }): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const [command, ...rest] = argv.filter((a) => a !== '--debug');
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      io.out.write(`${usage}\n`);
      return command ? 0 : 2;
    }
    const parse = (extra: Record<string, { type: 'string' | 'boolean'; short?: string }>) =>
      parseArgs({ args: rest, options: { ...tlsOptionSpec, ...extra }, allowPositionals: true, strict: true });
    switch (command) {
      case 'get': {
        const { values, positionals } = parse({ verbose: { type: 'boolean', short: 'v' }, output: { type: 'string', short: 'o' } });
        if (positionals.length !== 1) throw new UsageError('get takes one URL');
        return await get(positionals[0], values as never, io.out, io.err);
      }
      case 'probe': {
        const { values, positionals } = parse({});
        if (positionals.length !== 1) throw new UsageError('probe takes one HOST[:PORT]');
        return await probe(positionals[0], values as never, io.out);
      }
      case 'serve': {
        const { values, positionals } = parseArgs({ args: rest, options: serveOptionSpec, allowPositionals: true, strict: true });
        if (positionals.length !== 0) throw new UsageError(`serve takes no positional arguments (got ${positionals.join(' ')}); use --dir DIR`);
        return await serve(values, io.out);
      }
      case 'certs':
        return await certs(rest, io.out);
      default:
        throw new UsageError(`unknown command "${command}" (try: schannel --help)`);
    }
  } catch (error) {
    const usageProblem = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err.write(`${usageProblem ? `schannel: ${(error as Error).message}` : describeFailure(error)}\n`);
    if (debug) io.err.write(`${(error as Error).stack}\n`);
    return usageProblem ? 2 : 1;
  }
}
