// Figure 1: bulk throughput, client -> server (the peer is a sink) and server -> client (the peer
// is a source), with 16 KiB and 1 MiB writes, SchannelSocket (connect()) against tls.TLSSocket
// (tls.connect()), both talking to the same node:tls peer in this process.
import { STACKS, openClient, closeClient, MiB, nowNs, elapsedSeconds, median } from './common.mjs';

function upload(socket, total, chunkBytes) {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(chunkBytes, 0x61);
    const header = Buffer.alloc(9);
    header.write('U', 0);
    header.writeBigUInt64BE(BigInt(total), 1);
    let start;
    const onError = (error) => reject(error);
    socket.once('error', onError);
    socket.once('data', (data) => {
      socket.off('error', onError);
      if (data[0] !== 0x4b) reject(new Error(`sink answered ${data.toString('latin1')}`));
      else resolve(elapsedSeconds(start));
    });
    start = nowNs();
    socket.write(header);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const piece = Math.min(chunkBytes, total - sent);
        sent += piece;
        if (!socket.write(piece === chunkBytes ? chunk : chunk.subarray(0, piece))) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

function download(socket, total, chunkBytes) {
  return new Promise((resolve, reject) => {
    const request = Buffer.alloc(13);
    request.write('D', 0);
    request.writeBigUInt64BE(BigInt(total), 1);
    request.writeUInt32BE(chunkBytes, 9);
    let received = 0;
    const onError = (error) => reject(error);
    socket.once('error', onError);
    const start = nowNs();
    socket.on('data', function onData(data) {
      received += data.length;
      if (received >= total) {
        socket.off('data', onData);
        socket.off('error', onError);
        resolve(elapsedSeconds(start));
      }
    });
    socket.write(request);
  });
}

async function measure(stack, port, direction, total, chunkBytes) {
  // One connection per measurement: a fresh window, nothing left over from the previous run.
  const socket = await openClient(stack, port);
  try {
    const seconds = await (direction === 'upload' ? upload : download)(socket, total, chunkBytes);
    return { seconds, protocol: socket.getProtocol(), cipher: socket.getCipher()?.name };
  } finally {
    await closeClient(socket);
  }
}

export async function run({ peer, quick, log }) {
  const total = (quick ? 8 : 64) * MiB;
  // The median of these is reported. Single runs under Wine on this 2-core machine spread by 2x (a
  // 64 MiB run takes a third of a second), so 5 repeats let one figure swing from 0.6x to 1.2x
  // between benchmark runs; 9 narrow that.
  const repeats = quick ? 1 : 9;
  const rows = [];
  for (const direction of ['upload', 'download']) {
    for (const chunkBytes of [16 * 1024, MiB]) {
      const row = { direction, chunkBytes, totalBytes: total };
      const runs = Object.fromEntries(STACKS.map((stack) => [stack, []]));
      for (const stack of STACKS) await measure(stack, peer.port, direction, Math.min(total, 4 * MiB), chunkBytes); // warm-up
      // Stacks take turns, so drift on a shared machine lands on both.
      for (let i = 0; i < repeats; i++) {
        for (const stack of STACKS) runs[stack].push(await measure(stack, peer.port, direction, total, chunkBytes));
      }
      for (const stack of STACKS) {
        const seconds = median(runs[stack].map((r) => r.seconds));
        row[stack] = { MBps: total / seconds / 1e6, seconds, runs: runs[stack].map((r) => total / r.seconds / 1e6), protocol: runs[stack][0].protocol, cipher: runs[stack][0].cipher };
      }
      row.ratio = row.schannel.MBps / row['node:tls'].MBps;
      rows.push(row);
      log(`  ${direction} ${chunkBytes >= MiB ? '1 MiB' : '16 KiB'} writes: schannel ${row.schannel.MBps.toFixed(1)} MB/s, node:tls ${row['node:tls'].MBps.toFixed(1)} MB/s (${row.ratio.toFixed(2)}x)`);
    }
  }
  return { rows };
}
