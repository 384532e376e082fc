// `schannel serve --pfx FILE`: a small static HTTPS server over Schannel. node:http does the HTTP
// (parsing, keep-alive, timeouts); SchannelServer does the TLS and hands each secure socket to the
// HTTP server, as https.Server does with tls.Server. Files come from one directory and nothing
// outside it: `..` segments are refused, and a symbolic link must also resolve inside.
import { createReadStream, readFileSync, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createServer, type SchannelServer } from '../tls/server';
import type { SchannelSocket } from '../tls/socket';
import { UsageError } from './failure';

export interface ServeFlags {
  pfx?: string;
  passphrase?: string;
  port?: string;
  host?: string;
  dir?: string;
  'cert-thumbprint'?: string;
  'cert-store'?: string;
  'cert-location'?: string;
}

export const serveOptionSpec = {
  pfx: { type: 'string' },
  passphrase: { type: 'string' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  dir: { type: 'string', short: 'd' },
  'cert-thumbprint': { type: 'string' },
  'cert-store': { type: 'string' },
  'cert-location': { type: 'string' },
} as const;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** The Content-Type for a file name (application/octet-stream when the extension is unknown). */
export function contentTypeFor(file: string): string {
  return contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function readFlagFile(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read --${flag} ${file}: ${(error as Error).message}`);
  }
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 8443;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`--port must be a number from 0 to 65535 (got ${value})`);
  return Number(value);
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

type Outcome = { status: number; headers?: Record<string, string | number>; file?: string; size?: number; body?: string };

/**
 * What a request path maps to under `root` (an absolute, real path). Pure decisions, no response
 * written, so the rules read in one place.
 */
export async function resolveRequest(root: string, rawUrl: string): Promise<Outcome> {
  let pathname: string;
  try {
    // The WHATWG parser removes `.` and `..` segments (also %2e%2e); what is left is decoded here.
    pathname = decodeURIComponent(new URL(rawUrl, 'https://serve.invalid').pathname);
  } catch {
    return { status: 400, body: 'bad request path\n' };
  }
  if (pathname.includes('\0')) return { status: 400, body: 'bad request path\n' };
  // After decoding, %2f and %5c can make new separators: refuse any `..` segment they form, and on
  // Windows a `:` (a drive letter or an alternate data stream such as `file::$DATA`).
  const segments = pathname.split(/[\\/]/);
  if (segments.some((s) => s === '..' || (process.platform === 'win32' && s.includes(':')))) {
    return { status: 403, body: 'forbidden\n' };
  }
  let target = path.resolve(root, `.${path.sep}${segments.filter((s) => s !== '' && s !== '.').join(path.sep)}`);
  if (!isInside(root, target)) return { status: 403, body: 'forbidden\n' };
  let info: Stats;
  try {
    target = await realpath(target); // a symbolic link may point anywhere: judge where it ends up
    if (!isInside(root, target)) return { status: 403, body: 'forbidden\n' };
    info = await stat(target);
    if (info.isDirectory()) {
      if (!pathname.endsWith('/')) {
        // Relative links in the index must resolve inside the directory.
        const query = new URL(rawUrl, 'https://serve.invalid').search;
        return { status: 301, headers: { location: `${encodeURI(pathname)}/${query}` }, body: 'moved\n' };
      }
      target = path.join(target, 'index.html');
      info = await stat(target);
    }
  } catch {
    return { status: 404, body: 'not found\n' };
  }
  if (!info.isFile()) return { status: 404, body: 'not found\n' };
  return { status: 200, file: target, size: info.size };
}

function respond(req: IncomingMessage, res: ServerResponse, outcome: Outcome): void {
  res.setHeader('x-content-type-options', 'nosniff');
  for (const [name, value] of Object.entries(outcome.headers ?? {})) res.setHeader(name, value);
  if (outcome.file === undefined) {
    const body = outcome.body ?? '';
    res.writeHead(outcome.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  res.writeHead(200, { 'content-type': contentTypeFor(outcome.file), 'content-length': outcome.size! });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(outcome.file);
  stream.on('error', (error) => res.destroy(error));
  stream.pipe(res);
}

export interface ServeHandle {
  server: SchannelServer;
  url: string;
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens. The command line keeps it running until a signal. */
export async function startServe(flags: ServeFlags, log: NodeJS.WritableStream): Promise<ServeHandle> {
  const fromStore = flags['cert-thumbprint'];
  if (fromStore && flags.pfx) throw new UsageError('give --pfx FILE or --cert-thumbprint T, not both');
  if (!fromStore && (flags['cert-store'] || flags['cert-location'])) throw new UsageError('--cert-store and --cert-location go with --cert-thumbprint');
  if (!fromStore && !flags.pfx) {
    throw new UsageError('serve needs --pfx FILE (a PKCS#12 file with the certificate and its key) or --cert-thumbprint T (a certificate in the Windows store)');
  }
  const identity = fromStore
    ? {
        certificate: {
          thumbprint: fromStore,
          store: flags['cert-store'] ?? 'MY',
          location: (flags['cert-location'] ?? 'CurrentUser') as 'CurrentUser' | 'LocalMachine',
        },
      }
    : { pfx: readFlagFile('pfx', flags.pfx!), passphrase: flags.passphrase };
  const port = parsePort(flags.port);
  const host = flags.host ?? 'localhost';
  const dir = path.resolve(flags.dir ?? process.cwd());
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new UsageError(`cannot serve --dir ${dir}: ${(error as Error).message}`);
  }

  const http = createHttpServer(async (req, res) => {
    res.on('finish', () => {
      const who = req.socket.remoteAddress ?? '-';
      log.write(`${new Date().toISOString()} ${who} ${req.method} ${req.url} ${res.statusCode} ${res.getHeader('content-length') ?? '-'}\n`);
    });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      respond(req, res, { status: 405, headers: { allow: 'GET, HEAD' }, body: 'method not allowed\n' });
      return;
    }
    try {
      respond(req, res, await resolveRequest(root, req.url ?? '/'));
    } catch (error) {
      respond(req, res, { status: 500, body: 'internal error\n' });
      log.write(`schannel serve: ${(error as Error).message}\n`);
    }
  });
  // An idle connection is closed after a minute (http applies it through socket.setTimeout, which
  // SchannelSocket passes to its transport). The request/headers timeouts of a listening
  // http.Server need its own listen(); this one only receives connections.
  http.timeout = 60_000;
  const open = new Set<SchannelSocket>();
  const tlsServer = createServer({ ...identity, ALPNProtocols: ['http/1.1'] }, (socket: SchannelSocket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    http.emit('connection', socket);
  });
  tlsServer.on('tlsClientError', (error: Error & { code?: string }, socket: SchannelSocket) => {
    log.write(`${new Date().toISOString()} ${socket.remoteAddress ?? '-'} TLS handshake failed: ${error.code ?? error.name}: ${error.message}\n`);
  });

  await new Promise<void>((resolve, reject) => {
    tlsServer.once('error', reject);
    tlsServer.listen(port, host, () => {
      tlsServer.removeListener('error', reject);
      resolve();
    });
  });
  const address = tlsServer.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    server: tlsServer,
    url: `https://${shownHost}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        tlsServer.close(() => resolve());
        for (const socket of open) socket.destroy();
      });
      return closing;
    },
  };
}

/** `schannel serve`: runs until SIGINT or SIGTERM; 0 after a clean close. */
export async function serve(flags: ServeFlags, out: NodeJS.WritableStream): Promise<number> {
  const handle = await startServe(flags, out);
  out.write(`listening on ${handle.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      out.write(`${signal}: closing\n`);
      void handle.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
