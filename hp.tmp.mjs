const { Peer, openClient, closeClient } = await import('./bench/common.mjs');
const peer = await Peer.start();
const t0 = performance.now();
let sum = 0;
for (let i = 0; i < 300; i++) {
  const s = await openClient('schannel', peer.port);
  sum += s.timings.secure - s.timings.validation;
  await closeClient(s);
}
console.log('per handshake ms', ((performance.now() - t0) / 300).toFixed(2), 'validation->secure', (sum / 300).toFixed(2));
await peer.stop();
