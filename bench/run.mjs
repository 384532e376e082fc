// npm run bench: the package against node:tls, inside one node process (Windows node.exe; on Linux
// under Wine through scripts/bench.mjs), printing a table and writing bench/results/latest.json.
//
//   node --expose-gc bench/run.mjs [--quick] [--only=1,3] [--out=FILE]
//
// Figures (full defaults; --quick scales them down for a smoke run of ~30 s):
//   1 bulk throughput: 64 MiB each way (8 MiB quick), 16 KiB and 1 MiB writes, median of 3 runs
//     (1 quick), SchannelSocket vs tls.TLSSocket against node:tls (sink / source)
//   2 the limit: in-memory Schannel client/server TlsEngines, 64 MiB (8 MiB quick) through the
//     package's JS path vs benchRecordLoop (EncryptMessage/DecryptMessage in place, no JS), plus
//     64-byte writes for the per-call cost, and a profile of where the package's time goes
//   3 handshakes/s: 200 one at a time (20 quick), 640 with 32 in flight (64 quick); full (a new
//     credential / no session) and resumed (cached credential / node's session), with the
//     ClientHello each client sends when it should resume
//   4 event-loop delay (monitorEventLoopDelay, 1 ms resolution) while 100 handshakes are in
//     flight, median run of 3 (1 quick)
//   5 memory per idle established connection at 1,000 connections (100 quick), one child process
//     per stack: heapUsed, external and rss after gc
//   6 1-byte request/echo round trip: p50 and p99 over 2,000 round trips (200 quick)
// The peer is node's own tls server (TLS 1.2: Wine's Schannel has no 1.3) in a worker thread of
// this process; all traffic is on loopback.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Peer, repoRoot, here, gc, schannel } from './common.mjs';
import { renderTable, tableRows } from './report.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',').map(Number) ?? [1, 2, 3, 4, 5, 6];
const out = args.find((a) => a.startsWith('--out='))?.slice(6) ?? path.join(here, 'results', 'latest.json');
const log = (line) => process.stderr.write(`${line}\n`);

if (typeof globalThis.gc !== 'function') {
  log('bench: run node with --expose-gc (npm run bench does)');
  process.exit(2);
}
if (!schannel.isSupported()) {
  log(`bench: ${schannel.unsupportedReason()?.message}`);
  process.exit(2);
}

function commit() {
  if (process.env.SCHANNEL_BENCH_COMMIT) return process.env.SCHANNEL_BENCH_COMMIT;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' }).trim() !== '';
    return dirty ? `${head}+changes` : head;
  } catch {
    return null;
  }
}

const cpus = os.cpus();
const environment = {
  date: new Date().toISOString(),
  quick,
  commit: commit(),
  machine: {
    cpu: process.env.SCHANNEL_BENCH_HOST_CPU || (cpus[0]?.model?.trim() ?? 'unknown'),
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    hostOs: process.env.SCHANNEL_BENCH_HOST_OS ?? `${os.type()} ${os.release()}`,
  },
  runtime: {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    windows: os.release(),
    wine: process.env.SCHANNEL_WINE_VERSION ?? null,
    openssl: process.versions.openssl,
  },
};

const figures = {
  1: ['throughput', './throughput.mjs'],
  2: ['recordLoop', './record-loop.mjs'],
  3: ['handshakes', './handshakes.mjs'],
  4: ['eventLoop', './event-loop.mjs'],
  6: ['latency', './latency.mjs'],
  5: ['memory', './memory.mjs'], // last: it starts child processes
};

const started = process.hrtime.bigint();
log(`bench: ${quick ? 'quick' : 'full'} run, figures ${only.join(', ')}`);
const peer = await Peer.start();
const results = {};
try {
  for (const [number, [name, module]] of Object.entries(figures).sort(([a], [b]) => (a === '5') - (b === '5') || a - b)) {
    if (!only.includes(Number(number))) continue;
    log(`figure ${number}: ${name}`);
    gc();
    const { run } = await import(module);
    results[name] = await run({ peer, quick, log });
  }
} finally {
  await peer.stop();
}
environment.durationSeconds = Number(process.hrtime.bigint() - started) / 1e9;

const rows = tableRows(results);
const report = { schema: 1, ...environment, table: rows, figures: results };
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(renderTable(environment, rows));
process.stdout.write(`\nwritten: ${path.relative(process.cwd(), out)}\n`);
