// ALPN: offered with applicationProtocolsBuffer() on the first call, chosen by the server, read back
// with the APPLICATION_PROTOCOL attribute.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { clientHandshake, closeRun, schannel } from '../support/handshake.mjs';
import { NET_TIMEOUT, opensslUnavailable, startNodeTlsServer, startOpenSslServer, stopAllPeers, testPki } from '../support/peers.mjs';

const { applicationProtocolsBuffer, encodeApplicationProtocols, queryContextAttributes, SecBufferType } = schannel;

/** Handshake offering `alpn`; returns the attribute and what the server side (when node) chose. */
async function negotiate(server, alpn) {
  const run = await clientHandshake({ port: server.port, alpn });
  try {
    const attribute = queryContextAttributes(run.context, 'APPLICATION_PROTOCOL');
    const serverSide = server.connectionFrom ? (await server.connectionFrom(run)).alpnProtocol : undefined;
    return { attribute, serverSide };
  } finally {
    closeRun(run);
  }
}

const noOpenssl = await opensslUnavailable();

describe('ALPN', () => {
  after(stopAllPeers);

  it('encodes SEC_APPLICATION_PROTOCOLS as documented', () => {
    const buffer = applicationProtocolsBuffer(['h2', 'http/1.1']);
    assert.equal(buffer.type, SecBufferType.APPLICATION_PROTOCOLS);
    const expected = Buffer.concat([
      Buffer.from([18, 0, 0, 0]), // ProtocolListsSize: the one list below (4 + 2 + 12)
      Buffer.from([2, 0, 0, 0]), // ProtoNegoExt = SecApplicationProtocolNegotiationExt_ALPN
      Buffer.from([12, 0]), // ProtocolListSize
      Buffer.from('\x02h2\x08http/1.1', 'latin1'),
    ]);
    assert.deepEqual(buffer.data, expected);
    assert.deepEqual(encodeApplicationProtocols(['h2', 'http/1.1']), expected);
    assert.throws(() => encodeApplicationProtocols(['']), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => encodeApplicationProtocols(['x'.repeat(256)]), { code: 'ERR_INVALID_ARG_VALUE' });
  });

  it("node's server picks by its own preference: http/1.1 over the client's h2", { timeout: NET_TIMEOUT }, async () => {
    const server = await startNodeTlsServer({ ALPNProtocols: ['http/1.1', 'h2'] });
    const { attribute, serverSide } = await negotiate(server, ['h2', 'http/1.1']);
    assert.equal(serverSide, 'http/1.1');
    assert.equal(attribute.protocol, 'http/1.1');
    assert.equal(attribute.negotiationStatus, 1, 'SecApplicationProtocolNegotiationStatus_Success');
    assert.equal(attribute.negotiationExtension, 2, 'SecApplicationProtocolNegotiationExt_ALPN');
    assert.deepEqual(attribute.protocolId, Buffer.from('http/1.1'));
  });

  it('no protocol offered: the attribute says none (protocol null)', { timeout: NET_TIMEOUT }, async () => {
    const server = await startNodeTlsServer({ ALPNProtocols: ['h2', 'http/1.1'] });
    const { attribute, serverSide } = await negotiate(server, undefined);
    assert.equal(serverSide, false);
    assert.equal(attribute.protocol, null);
    assert.notEqual(attribute.negotiationStatus, 1);
  });

  it('offered to a server without ALPN: protocol null', { timeout: NET_TIMEOUT }, async () => {
    const server = await startNodeTlsServer({});
    const { attribute } = await negotiate(server, ['h2']);
    assert.equal(attribute.protocol, null);
  });

  it('openssl s_server -alpn h2,http/1.1 picks h2 by its preference over the client order', { timeout: NET_TIMEOUT, skip: noOpenssl ?? false }, async () => {
    const p = testPki();
    const server = await startOpenSslServer({ cert: p.leaf.certPem, key: p.leaf.keyPem, args: ['-www', '-tls1_2', '-alpn', 'h2,http/1.1'] });
    try {
      const { attribute } = await negotiate(server, ['http/1.1', 'h2']);
      assert.equal(attribute.protocol, 'h2');
      assert.deepEqual(attribute.protocolId, Buffer.from('h2'));
    } finally {
      await server.stop();
    }
  });
});
