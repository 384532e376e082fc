// Records a real corpus for the fuzzer, in-process and without sockets: a Schannel client TlsEngine
// against a Schannel server TlsEngine (bytes carried by hand from takeOutgoing() to feed()), and
// node.exe's own tls (OpenSSL) on either side over an in-memory stream pair, whose flights carry
// other extensions in another order. Also the live-pair helpers the fuzz targets use.
import { createRequire } from 'node:module';
import { duplexPair } from 'node:stream';
import tls from 'node:tls';

const require = createRequire(import.meta.url);
export const schannel = require('..');
const { TlsEngine, acquireCredentialsHandle } = schannel;

/** A self-signed 'localhost' certificate as PFX (passphrase 'fuzz') and PEM, made once. */
export function makeIdentity() {
  const { issue, pfx } = require('../test/support/pki.cjs');
  const leaf = issue({ cn: 'localhost', dns: ['localhost'], ips: ['127.0.0.1'], notAfterDays: 2 });
  return { pfx: pfx(leaf, [], 'fuzz'), passphrase: 'fuzz', keyPem: leaf.keyPem, certPem: leaf.certPem };
}

/** The credentials every target shares: one outbound, one inbound with the identity. */
export function makeCredentials(identity) {
  return {
    client: acquireCredentialsHandle({ use: 'outbound', flags: ['MANUAL_CRED_VALIDATION', 'NO_DEFAULT_CREDS'], maxVersion: 'TLSv1.2' }),
    server: acquireCredentialsHandle({ use: 'inbound', pfx: identity.pfx, passphrase: identity.passphrase }),
  };
}

/**
 * A client and a server engine, handshaken step by step. `flights` holds every flight each way
 * (0: ClientHello, 1: server flight, 2: client Finished flight, 3: server Finished).
 */
export function schannelPair(credentials, { alpn } = {}) {
  const client = new TlsEngine({ role: 'client', credential: credentials.client, targetName: 'localhost', alpnProtocols: alpn });
  const server = new TlsEngine({ role: 'server', credential: credentials.server, alpnProtocols: alpn });
  const flights = [];
  client.start();
  for (let from = client, to = server; from.state !== 'failed' && to.state !== 'failed' && flights.length < 8; [from, to] = [to, from]) {
    const bytes = from.takeOutgoing();
    if (bytes.length === 0) break;
    flights.push(bytes);
    to.feed(bytes);
  }
  if (client.state !== 'open' || server.state !== 'open') {
    throw new Error(`corpus handshake ended ${client.state}/${server.state}: ${client.error?.message ?? server.error?.message}`);
  }
  return { client, server, flights };
}

/** Application records (several sizes), and the close_notify, as `from` sends them. */
function records(from) {
  const out = [];
  for (const size of [1, 100, 5000, 20000]) {
    from.write(Buffer.alloc(size, size & 0xff));
    out.push(from.takeOutgoing());
  }
  from.shutdown();
  out.push(from.takeOutgoing());
  return out;
}

/** OpenSSL (node:tls) on one end of an in-memory pair; the other end is the wire we carry by hand. */
function opensslPeer(options) {
  const [wire, theirs] = duplexPair();
  const socket = options.isServer
    ? new tls.TLSSocket(theirs, { isServer: true, secureContext: tls.createSecureContext(options) })
    : tls.connect({ socket: theirs, servername: 'localhost', rejectUnauthorized: false, ...options });
  socket.on('error', () => {});
  const inbox = [];
  wire.on('data', (d) => inbox.push(d));
  return {
    socket,
    send: (bytes) => bytes.length > 0 && wire.write(bytes),
    /** What OpenSSL has sent once it has been quiet for a moment. */
    async take() {
      for (let last = -1, i = 0; i < 100; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const total = inbox.reduce((n, b) => n + b.length, 0);
        if (total > 0 && total === last) break;
        last = total;
      }
      return Buffer.concat(inbox.splice(0));
    },
    destroy: () => { socket.destroy(); wire.destroy(); },
  };
}

/** Flights of node:tls as a client (TLS 1.2 only, and 1.2-1.3) and as a server against Schannel. */
async function opensslFlights(credentials, identity) {
  const out = { clientHellos: [], serverFlights: [], clientFinished: [] };
  for (const maxVersion of ['TLSv1.2', 'TLSv1.3']) {
    const peer = opensslPeer({ maxVersion, ALPNProtocols: ['h2', 'http/1.1'] });
    const hello = await peer.take();
    out.clientHellos.push(hello);
    const server = new TlsEngine({ role: 'server', credential: credentials.server });
    server.feed(hello);
    peer.send(server.takeOutgoing());
    out.clientFinished.push(await peer.take());
    server.destroy();
    peer.destroy();
  }
  const peer = opensslPeer({ isServer: true, key: identity.keyPem, cert: identity.certPem, maxVersion: 'TLSv1.2' });
  const client = new TlsEngine({ role: 'client', credential: credentials.client, targetName: 'localhost' });
  client.start();
  peer.send(client.takeOutgoing());
  out.serverFlights.push(await peer.take());
  client.destroy();
  peer.destroy();
  return out;
}

/**
 * The corpus: named lists of byte strings. clientHellos go to a server context, serverFlights and
 * serverFinished to a client, clientFinished to a server after its flight, records to an
 * established context (all recorded for other contexts, so most later flights fail their checks).
 */
export async function recordCorpus(credentials, identity) {
  const corpus = { clientHellos: [], serverFlights: [], clientFinished: [], serverFinished: [], records: [] };
  for (const alpn of [undefined, ['h2', 'http/1.1']]) {
    const { client, server, flights } = schannelPair(credentials, { alpn });
    corpus.clientHellos.push(flights[0]);
    corpus.serverFlights.push(flights[1]);
    corpus.clientFinished.push(flights[2]);
    corpus.serverFinished.push(flights[3]);
    corpus.records.push(...records(server), ...records(client));
    client.destroy();
    server.destroy();
  }
  const openssl = await opensslFlights(credentials, identity);
  for (const key of Object.keys(openssl)) corpus[key].push(...openssl[key]);
  return corpus;
}
