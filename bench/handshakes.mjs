// Figure 3: handshakes per second against the node:tls peer in this process, one at a time and 32
// at once, each connection opened, made secure (certificate validated), then destroyed.
//   full     schannel: a new credential per connection (acquireCredentialsHandle() with connect()'s
//            options, then a SchannelSocket over net.connect(), as connect() builds it), so no
//            session can be reused; node:tls: tls.connect() without `session`.
//            (Not clearCredentialCache() before each connect(): that disposes the credential of
//            connections still connecting, which then fail with SEC_E_INVALID_HANDLE.)
//   resumed  schannel: connect() reusing its cached credential, i.e. Schannel's session cache;
//            node:tls: tls.connect({ session }) with the last session the client received.
// Whether a handshake was really resumed is read on both ends: the client's isSessionReused() and
// the peer's (the server socket's isSessionReused(), counted in the worker).
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { STACKS, schannel, CLIENT_FLAGS, connectOptions, pool, nowNs, elapsedSeconds } from './common.mjs';

function makeClient(stack, mode, port) {
  let session = null;
  return async function handshake() {
    let socket;
    let credential = null;
    if (stack === 'schannel' && mode === 'full') {
      credential = schannel.acquireCredentialsHandle({ use: 'outbound', flags: CLIENT_FLAGS });
      const options = connectOptions(port);
      socket = new schannel.SchannelSocket({
        transport: net.connect({ host: options.host, port }),
        credential,
        role: 'client',
        servername: options.servername,
        host: options.servername,
        ca: options.ca,
        revocation: 'best-effort',
        connecting: true,
      });
    } else if (stack === 'schannel') {
      socket = schannel.connect(connectOptions(port));
    } else {
      socket = tls.connect(connectOptions(port, mode === 'resumed' && session ? { session } : {}));
      if (mode === 'resumed') socket.once('session', (s) => { session = s; });
    }
    const error = await new Promise((resolve) => {
      socket.once('secureConnect', () => resolve(null));
      socket.once('error', resolve);
    });
    const reused = socket.isSessionReused();
    if (!socket.closed) {
      // A graceful end (close_notify, FIN) and not destroy(): destroy() can drop the client's last
      // flight of an abbreviated handshake, and the peer would never finish it.
      const closed = once(socket, 'close');
      if (error) socket.destroy();
      else socket.end();
      await closed;
    }
    credential?.dispose();
    if (error) throw error;
    return reused;
  };
}

async function measure(peer, stack, mode, count, concurrency) {
  const handshake = makeClient(stack, mode, peer.port);
  // Warm-up: code paths, and for 'resumed' a session to resume.
  for (let i = 0; i < 3; i++) await handshake();
  await peer.resetStats();
  const start = nowNs();
  const reused = await pool(count, concurrency, () => handshake());
  const seconds = elapsedSeconds(start);
  const server = await peer.stats();
  return {
    perSecond: count / seconds,
    count,
    seconds,
    clientReused: reused.filter(Boolean).length,
    serverResumed: server.resumed,
    serverNewSessions: server.newSessions,
    serverSessionLookups: server.sessionLookups,
  };
}

/** The resumption offers in a TLS ClientHello: session_id length and the SessionTicket extension. */
export function parseClientHello(bytes) {
  let at = 5; // record header
  if (bytes[0] !== 0x16 || bytes[at] !== 0x01) return null;
  at += 4 + 2 + 32; // handshake header, client_version, random
  const sessionIdLength = bytes[at];
  at += 1 + sessionIdLength;
  at += 2 + bytes.readUInt16BE(at); // cipher_suites
  at += 1 + bytes[at]; // compression_methods
  const facts = { sessionIdLength, sessionTicketExtension: null, preSharedKeyExtension: false };
  if (at + 2 > bytes.length) return facts;
  const end = Math.min(bytes.length, at + 2 + bytes.readUInt16BE(at));
  for (at += 2; at + 4 <= end; ) {
    const type = bytes.readUInt16BE(at);
    const length = bytes.readUInt16BE(at + 2);
    if (type === 0x0023) facts.sessionTicketExtension = { length };
    if (type === 0x0029) facts.preSharedKeyExtension = true;
    at += 4 + length;
  }
  return facts;
}

/**
 * What each client offers when it should resume: two connections through a recording TCP relay in
 * front of the peer (schannel: the same cached credential; node:tls: the first one's session).
 */
async function resumptionOffers(peer) {
  const hellos = [];
  const relay = net.createServer((inbound) => {
    const outbound = net.connect(peer.port, '127.0.0.1');
    let head = Buffer.alloc(0);
    const record = (data) => {
      head = Buffer.concat([head, data]);
      if (head.length >= 5 && head.length >= 5 + head.readUInt16BE(3)) {
        inbound.off('data', record);
        hellos.push(head);
      }
    };
    inbound.on('data', record);
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => {});
    outbound.on('error', () => {});
  });
  await new Promise((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const port = relay.address().port;
  const offers = {};
  try {
    for (const stack of STACKS) {
      hellos.length = 0;
      const handshake = makeClient(stack, 'resumed', port);
      await handshake();
      await handshake();
      offers[stack] = { first: parseClientHello(hellos[0]), second: parseClientHello(hellos[1]) };
    }
  } finally {
    relay.close();
  }
  return offers;
}

export async function run({ peer, quick, log }) {
  const plan = [
    { concurrency: 1, count: quick ? 20 : 200 },
    { concurrency: 32, count: quick ? 64 : 640 },
  ];
  const rounds = quick ? 1 : 3; // stacks take turns; the median round is reported
  const rows = [];
  for (const mode of ['full', 'resumed']) {
    for (const { concurrency, count } of plan) {
      const row = { mode, concurrency, count };
      const runs = Object.fromEntries(STACKS.map((stack) => [stack, []]));
      for (let round = 0; round < rounds; round++) {
        for (const stack of STACKS) runs[stack].push(await measure(peer, stack, mode, count, concurrency));
      }
      for (const stack of STACKS) {
        const sorted = [...runs[stack]].sort((a, b) => a.perSecond - b.perSecond);
        row[stack] = { ...sorted[Math.floor(sorted.length / 2)], runsPerSecond: runs[stack].map((r) => r.perSecond) };
      }
      row.ratio = row.schannel.perSecond / row['node:tls'].perSecond;
      rows.push(row);
      log(`  ${mode} x${concurrency}: schannel ${row.schannel.perSecond.toFixed(0)}/s (reused ${row.schannel.clientReused}/${count}, peer saw ${row.schannel.serverResumed} resumed), ` +
        `node:tls ${row['node:tls'].perSecond.toFixed(0)}/s (reused ${row['node:tls'].clientReused}/${count}, peer saw ${row['node:tls'].serverResumed}) (${row.ratio.toFixed(2)}x)`);
    }
  }
  // Resumed over full, per stack and concurrency: the target is >= 3x.
  const speedup = {};
  for (const stack of STACKS) {
    speedup[stack] = Object.fromEntries(plan.map(({ concurrency }) => {
      const full = rows.find((r) => r.mode === 'full' && r.concurrency === concurrency)[stack].perSecond;
      const resumed = rows.find((r) => r.mode === 'resumed' && r.concurrency === concurrency)[stack].perSecond;
      return [`x${concurrency}`, resumed / full];
    }));
  }
  const offers = await resumptionOffers(peer);
  for (const stack of STACKS) {
    const { second } = offers[stack];
    log(`  ${stack} ClientHello when resuming: session_id ${second?.sessionIdLength ?? '?'} bytes, ` +
      `SessionTicket extension ${second?.sessionTicketExtension ? `${second.sessionTicketExtension.length} bytes` : 'absent'}`);
  }
  return { rows, resumedOverFull: speedup, resumptionOffers: offers };
}
