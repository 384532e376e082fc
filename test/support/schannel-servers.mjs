// schannel.createServer for the server tests: listening on 127.0.0.1, recording every socket and
// every 'tlsClientError', and tracked so that an `after` hook can close whatever a test (even a
// failed one) left open. Shared by 150.server and 155.server-sni.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const schannel = require('../..');

const started = new Set();

/** server.listen on 127.0.0.1:0 (or the given port and host); resolves once it listens. */
export function listen(server, port = 0, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

/**
 * schannel.createServer(options) listening on 127.0.0.1:0, echoing by default. `server.sockets` holds
 * its open secure sockets, `server.clientErrors` every { error, socket } of 'tlsClientError'.
 */
export async function startSchannelServer(options, onSecure = (socket) => socket.pipe(socket)) {
  const server = schannel.createServer(options, (socket) => {
    socket.on('error', () => {}); // a client's reset must not fail the run; the tests look at what they need
    server.sockets.add(socket);
    socket.once('close', () => server.sockets.delete(socket));
    onSecure(socket);
  });
  server.sockets = new Set();
  server.clientErrors = [];
  server.on('tlsClientError', (error, socket) => server.clientErrors.push({ error, socket }));
  await listen(server);
  started.add(server);
  return server;
}

/** Has closeSchannelServers() close `server` too (one not made by startSchannelServer). */
export function trackServer(server) {
  started.add(server);
}

/** Leaves `server` to the test (it closes it itself). */
export function untrackServer(server) {
  started.delete(server);
}

/** Closes `server` and destroys the sockets it still has; resolves once it is closed. */
export function closeSchannelServer(server) {
  started.delete(server);
  if (!server.listening) return Promise.resolve();
  const closed = new Promise((resolve) => server.close(() => resolve()));
  for (const socket of server.sockets ?? []) socket.destroy(); // a failed test may have left one open
  return closed;
}

/** Closes every server still tracked (for `after` hooks). */
export async function closeSchannelServers() {
  await Promise.allSettled([...started].map(closeSchannelServer));
}

/** Writes `data` and ends; resolves with everything read until the end of the stream. */
export function exchange(socket, data) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
    socket.end(data);
  });
}
