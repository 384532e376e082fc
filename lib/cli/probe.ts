// `schannel probe HOST[:PORT]`: handshake, validate, print the report. Exit 0 only when trusted.
import { connect } from '../tls/connect';
import type { SchannelSocket } from '../tls/socket';
import { connectOptions, hostAndPort, type TlsFlags } from './options';
import { handshakeReport } from './report';

export async function probe(target: string, flags: TlsFlags, out: NodeJS.WritableStream): Promise<number> {
  const { host, port } = hostAndPort(target, 443);
  const options = connectOptions(flags);
  const socket: SchannelSocket = await new Promise((resolve, reject) => {
    const s = connect({ host, port, ALPNProtocols: ['h2', 'http/1.1'], ...options, rejectUnauthorized: false }, () => resolve(s));
    s.once('error', reject);
  });
  out.write(`${handshakeReport(socket, `${host}:${port}`)}\n`);
  socket.destroy();
  return socket.authorized ? 0 : 1;
}
