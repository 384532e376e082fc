// `schannel get URL`: fetch over Schannel and print the body, like curl.
import { createWriteStream } from 'node:fs';
import { request } from 'node:https';
import { SchannelAgent, type SchannelAgentOptions } from '../http/agent';
import type { SchannelSocket } from '../tls/socket';
import { UsageError } from './failure';
import { connectOptions, type TlsFlags } from './options';
import { handshakeReport } from './report';

export interface GetFlags extends TlsFlags {
  verbose?: boolean;
  output?: string;
}

export async function get(url: string, flags: GetFlags, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`not a URL: ${url}`);
  }
  if (parsed.protocol !== 'https:') throw new UsageError(`only https:// URLs go over Schannel (got ${parsed.protocol})`);
  const agent = new SchannelAgent({ keepAlive: false, ...connectOptions(flags) } as SchannelAgentOptions);
  try {
    return await new Promise<number>((resolve, reject) => {
      const req = request(parsed, { agent, headers: { 'user-agent': 'schannel-cli' } }, (res) => {
        if (flags.verbose) {
          err.write(`< HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\n`);
          for (const [name, value] of Object.entries(res.headers)) err.write(`< ${name}: ${value}\n`);
        }
        const sink = flags.output ? createWriteStream(flags.output) : out;
        res.pipe(sink as NodeJS.WritableStream, { end: !!flags.output });
        res.on('error', reject);
        const done = () => resolve(0);
        if (flags.output) (sink as NodeJS.WritableStream).on('finish', done);
        else res.on('end', done);
      });
      req.on('socket', (socket) => {
        if (!flags.verbose) return;
        const tlsSocket = socket as unknown as SchannelSocket;
        tlsSocket.once('secureConnect', () => {
          err.write(`${handshakeReport(tlsSocket, parsed.host)}\n`);
          err.write(`> GET ${parsed.pathname}${parsed.search} HTTP/1.1\n> host: ${parsed.host}\n`);
        });
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    agent.destroy();
  }
}
