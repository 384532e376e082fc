// Figure 5: memory per idle established connection, at `count` connections, for each stack in a
// fresh node process of its own (same node.exe, --expose-gc): heapUsed and external from
// process.memoryUsage() after garbage collection, and rss, the only figure that sees native memory
// (Schannel's contexts, OpenSSL's SSL objects). The peer stays in this process.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { STACKS, here, rootPem } from './common.mjs';

function child(stack, port, count) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', path.join(here, 'memory-child.mjs'), stack, String(port), String(count)], {
      env: { ...process.env, SCHANNEL_BENCH_ROOT_PEM: rootPem() },
      maxBuffer: 1 << 20,
      timeout: 300_000,
    }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`memory child (${stack}) failed: ${error.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()));
      } catch (parseError) {
        reject(new Error(`memory child (${stack}) printed no result: ${stdout}\n${stderr}`, { cause: parseError }));
      }
    });
  });
}

export async function run({ peer, quick, log }) {
  const count = quick ? 100 : 1000;
  const result = { count };
  for (const stack of [...STACKS, 'node:tls+ctx']) {
    const { before, after, measured, nativeHandles } = await child(stack, peer.port, count);
    const per = (key) => (after[key] - before[key]) / measured;
    result[stack] = {
      heapBytes: per('heapUsed'),
      externalBytes: per('external'),
      arrayBuffersBytes: per('arrayBuffers'),
      rssBytes: per('rss'),
      nativeHandles,
    };
  }
  const total = (r) => r.heapBytes + r.externalBytes;
  result.ratioHeapPlusExternal = total(result.schannel) / total(result['node:tls']);
  result.ratioRss = result.schannel.rssBytes / result['node:tls'].rssBytes;
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  for (const stack of [...STACKS, 'node:tls+ctx']) {
    const r = result[stack];
    log(`  memory per idle connection (${count}), ${stack}: heap ${kb(r.heapBytes)}, external ${kb(r.externalBytes)}, rss ${kb(r.rssBytes)}`);
  }
  return result;
}
