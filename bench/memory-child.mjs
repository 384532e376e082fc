// Figure 5's measuring process (started by memory.mjs, one per stack, so neither stack's heap or
// allocator state is left to the other): opens `count` idle connections to the parent's node:tls
// peer and prints process.memoryUsage() before and after, with garbage collection between phases.
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
const before = process.memoryUsage();
const sockets = await pool(count, 32, () => openClient(stack, port));
await settle();
const after = process.memoryUsage();
const stats = stack === 'schannel' ? (await import('./common.mjs')).schannel.debugStats() : null;
await Promise.all(sockets.map(closeClient));
process.stdout.write(`${JSON.stringify({ stack, count, before, after, nativeHandles: stats })}\n`);
