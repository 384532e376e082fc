// The benchmark's peer: node's own tls server (OpenSSL inside node.exe), run in a worker thread of
// the benchmarking process. The client's first bytes pick what a connection does:
//   'U' <u64 length>            sink: read `length` bytes, then answer 'K'
//   'D' <u64 length> <u32 size> source: send `length` bytes in writes of `size` (with back-pressure)
//   'E'                         echo everything
//   anything else / nothing     stay idle
// Sessions: tickets (node's default) and a session-ID store (newSession/resumeSession), so a client
// that can resume, by either mechanism, does. TLS 1.2 only: Wine's Schannel has no TLS 1.3, and both
// stacks are measured on the same protocol.
import tls from 'node:tls';
import { parentPort } from 'node:worker_threads';

let server = null;
const sockets = new Set();
const sessions = new Map();
let stats;
const reset = () => { stats = { connections: 0, secure: 0, resumed: 0, newSessions: 0, sessionLookups: 0, sessionHits: 0 }; };
reset();

function serve(socket) {
  stats.secure += 1;
  if (socket.isSessionReused()) stats.resumed += 1;
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => {});
  socket.setNoDelay(true);
  let header = Buffer.alloc(0);
  const onData = (data) => {
    header = header.length === 0 ? data : Buffer.concat([header, data]);
    const command = String.fromCharCode(header[0]);
    if (command === 'U') {
      if (header.length < 9) return;
      socket.off('data', onData);
      sink(socket, Number(header.readBigUInt64BE(1)), header.length - 9);
    } else if (command === 'D') {
      if (header.length < 13) return;
      socket.off('data', onData);
      source(socket, Number(header.readBigUInt64BE(1)), header.readUInt32BE(9));
    } else if (command === 'E') {
      socket.off('data', onData);
      if (header.length > 1) socket.write(header.subarray(1));
      socket.pipe(socket);
    } else {
      socket.off('data', onData);
    }
  };
  socket.on('data', onData);
}

function sink(socket, length, already) {
  let received = already;
  const done = () => socket.write('K');
  if (received >= length) return done();
  socket.on('data', (data) => {
    received += data.length;
    if (received >= length && received - data.length < length) done();
  });
}

function source(socket, length, size) {
  const chunk = Buffer.alloc(size, 0x5a);
  let sent = 0;
  const pump = () => {
    while (sent < length) {
      const piece = Math.min(size, length - sent);
      sent += piece;
      if (!socket.write(piece === size ? chunk : chunk.subarray(0, piece))) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

const handlers = {
  async listen({ key, cert }) {
    server = tls.createServer({ key, cert, maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2' }, serve);
    server.on('connection', () => { stats.connections += 1; });
    server.on('tlsClientError', () => {});
    server.on('newSession', (id, data, callback) => {
      stats.newSessions += 1;
      if (sessions.size > 10000) sessions.clear();
      sessions.set(id.toString('hex'), data);
      callback();
    });
    server.on('resumeSession', (id, callback) => {
      stats.sessionLookups += 1;
      const data = sessions.get(id.toString('hex')) ?? null;
      if (data) stats.sessionHits += 1;
      callback(null, data);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: server.address().port };
  },
  stats() {
    return { ...stats, open: sockets.size };
  },
  reset() {
    reset();
  },
  closeAll() {
    for (const socket of sockets) socket.destroy();
  },
  async close() {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  },
};

parentPort.on('message', async ({ id, type, ...args }) => {
  try {
    parentPort.postMessage({ id, result: await handlers[type](args) });
  } catch (error) {
    parentPort.postMessage({ id, error: error.stack ?? String(error) });
  }
});
