// Figure 6: round-trip latency of a 1-byte request and its 1-byte echo over an established
// connection (Nagle off on both ends), median and p99 over many round trips.
import { STACKS, openClient, closeClient, summarize } from './common.mjs';

function roundTrips(socket, count) {
  return new Promise((resolve, reject) => {
    const samples = new Float64Array(count);
    const byte = Buffer.from([0x2a]);
    let i = 0;
    let start = 0n;
    const send = () => {
      start = process.hrtime.bigint();
      socket.write(byte);
    };
    const onData = (data) => {
      if (data.length !== 1) return reject(new Error(`echo answered ${data.length} bytes`));
      samples[i++] = Number(process.hrtime.bigint() - start) / 1e3;
      if (i < count) send();
      else {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve(samples);
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
    send();
  });
}

async function measure(stack, port, count) {
  const socket = await openClient(stack, port);
  socket.setNoDelay(true);
  try {
    socket.write('E');
    await roundTrips(socket, 100); // warm-up
    return await roundTrips(socket, count);
  } finally {
    await closeClient(socket);
  }
}

export async function run({ peer, quick, log }) {
  const count = quick ? 200 : 2000;
  const rounds = quick ? 1 : 4; // stacks take turns, each round on a new connection
  const samples = Object.fromEntries(STACKS.map((stack) => [stack, []]));
  for (let round = 0; round < rounds; round++) {
    for (const stack of STACKS) samples[stack].push(...(await measure(stack, peer.port, Math.ceil(count / rounds))));
  }
  const result = { count: rounds * Math.ceil(count / rounds) };
  for (const stack of STACKS) {
    const { p50, p99, max, n } = summarize(samples[stack]);
    result[stack] = { p50us: p50, p99us: p99, maxus: max, n };
  }
  result.ratioP50 = result.schannel.p50us / result['node:tls'].p50us;
  result.ratioP99 = result.schannel.p99us / result['node:tls'].p99us;
  log(`  1-byte round trip: schannel p50 ${result.schannel.p50us.toFixed(0)} us p99 ${result.schannel.p99us.toFixed(0)} us, ` +
    `node:tls p50 ${result['node:tls'].p50us.toFixed(0)} us p99 ${result['node:tls'].p99us.toFixed(0)} us`);
  return result;
}
