// Figure 5's measuring process (started by memory.mjs, one per stack, so neither stack's heap or
// allocator state is left to the other): opens `count` idle connections to the parent's node:tls
// peer and prints process.memoryUsage() at half of them and at all of them, with garbage collection
// between phases.
// Arguments: stack port count. The trusted root comes in SCHANNEL_BENCH_ROOT_PEM.
import { openClient, closeClient, pool, gc, sleep } from './common.mjs';

const [stack, portText, countText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);

const settle = async () => {
  await sleep(200);
  gc();
  await sleep(50);
  gc();
};

// Warm-up: modules, the credential, the chain engine, node's SecureContext code.
await Promise.all((await pool(5, 5, () => openClient(stack, port))).map(closeClient));
await settle();
// The figure is the slope between half the connections and all of them: what one more idle
// connection costs, without the one-time costs the first ones pay (code compiled and optimized as
// the connection path warms up, caches filled), which a single before/after difference spreads
// over the count.
const half = Math.floor(count / 2);
const sockets = await pool(half, 32, () => openClient(stack, port));
await settle();
const before = process.memoryUsage();
sockets.push(...(await pool(count - half, 32, () => openClient(stack, port))));
await settle();
const after = process.memoryUsage();
const stats = stack === 'schannel' ? (await import('./common.mjs')).schannel.debugStats() : null;
await Promise.all(sockets.map(closeClient));
process.stdout.write(`${JSON.stringify({ stack, count, measured: count - half, before, after, nativeHandles: stats })}\n`);
