// Figure 4: event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution) while 100
// handshakes are in flight at once, each through the stack's default call site: schannel's
// connect() (its cached credential) and tls.connect(). The node:tls peer runs in a worker thread,
// so its handshake work does not land on the event loop being measured. 'node:tls+ctx' is
// tls.connect() with one shared SecureContext, for reference.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { STACKS, openClient, closeClient, nowNs, elapsedSeconds, sleep } from './common.mjs';

async function measure(stack, port, count) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  await sleep(20);
  histogram.enable();
  const start = nowNs();
  const pending = Array.from({ length: count }, () => openClient(stack, port));
  const issueMs = elapsedSeconds(start) * 1e3; // the synchronous part of starting them all
  const sockets = await Promise.all(pending);
  const seconds = elapsedSeconds(start);
  histogram.disable();
  await Promise.all(sockets.map(closeClient));
  const ms = (ns) => ns / 1e6;
  return {
    p50ms: ms(histogram.percentile(50)),
    p99ms: ms(histogram.percentile(99)),
    maxms: ms(histogram.max),
    meanms: ms(histogram.mean),
    samples: histogram.count,
    issueMs,
    seconds,
  };
}

export async function run({ peer, quick, log }) {
  const count = 100;
  const repeats = quick ? 1 : 5; // stacks take turns; the run with the median p99 is reported
  const stacks = [...STACKS, 'node:tls+ctx'];
  const result = { count };
  const runs = Object.fromEntries(stacks.map((stack) => [stack, []]));
  for (const stack of stacks) await measure(stack, peer.port, 10); // warm-up
  for (let i = 0; i < repeats; i++) {
    for (const stack of stacks) runs[stack].push(await measure(stack, peer.port, count));
  }
  for (const stack of stacks) {
    const sorted = [...runs[stack]].sort((a, b) => a.p99ms - b.p99ms);
    result[stack] = { ...sorted[Math.floor(sorted.length / 2)], runsP99ms: runs[stack].map((r) => r.p99ms) };
  }
  result.ratioP99 = result.schannel.p99ms / result['node:tls'].p99ms;
  result.ratioP50 = result.schannel.p50ms / result['node:tls'].p50ms;
  log(`  event-loop delay, ${count} handshakes: schannel p50 ${result.schannel.p50ms.toFixed(1)} ms p99 ${result.schannel.p99ms.toFixed(1)} ms, ` +
    `node:tls p50 ${result['node:tls'].p50ms.toFixed(1)} ms p99 ${result['node:tls'].p99ms.toFixed(1)} ms ` +
    `(shared SecureContext: p99 ${result['node:tls+ctx'].p99ms.toFixed(1)} ms)`);
  return result;
}
