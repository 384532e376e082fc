// The Promise-based handshake loop over any transport: send what the engine produces, read what
// the peer sends, until the handshake is done or fails.
import { validateFunction, validateObject } from '../sspi/validate';
import { invalidArgType } from '../sspi/errors';
import { TlsEngine } from './tls-engine';

export interface HandshakeTransport {
  send(data: Buffer): void | Promise<void>;
  /** The next bytes from the peer; null at end of stream. */
  receive(): Promise<Buffer | null>;
}

export async function runHandshake(engine: TlsEngine, transport: HandshakeTransport): Promise<void> {
  // Checked up front: a wrong argument found halfway would leave a started engine behind.
  if (!(engine instanceof TlsEngine)) throw invalidArgType('engine', 'TlsEngine', engine);
  validateObject(transport, 'transport');
  validateFunction(transport.send, 'transport.send');
  validateFunction(transport.receive, 'transport.receive');
  engine.start();
  for (;;) {
    const out = engine.takeOutgoing();
    if (out.length > 0) await transport.send(out);
    if (engine.state === 'failed') throw engine.error;
    if (engine.state === 'open' || engine.state === 'closed') return;
    const data = await transport.receive();
    if (data === null) {
      throw Object.assign(new Error('The peer closed the connection during the TLS handshake'), { code: 'ECONNRESET' });
    }
    engine.feed(data);
  }
}
