// The Promise-based handshake loop over any transport: send what the engine produces, read what
// the peer sends, until the handshake is done or fails.
import type { TlsEngine } from './tls-engine';

export interface HandshakeTransport {
  send(data: Buffer): void | Promise<void>;
  /** The next bytes from the peer; null at end of stream. */
  receive(): Promise<Buffer | null>;
}

export async function runHandshake(engine: TlsEngine, transport: HandshakeTransport): Promise<void> {
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
