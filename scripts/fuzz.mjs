// `npm run fuzz [-- --cases N] [-- --seed S] [-- --target NAME] [-- --time-limit SECONDS] [-- --no-build]`:
// the fuzzer of fuzz/run.mjs. On Windows it builds the TypeScript and runs it in this node. On
// Linux it makes sure of the environment (Wine root filesystem, node.exe), builds tsc and the MinGW
// addon, then runs it inside Windows node.exe under Wine. Wine's Schannel prints "GnuTLS error: ..."
// for every bad input straight to the Unix stderr (no Windows handle in between, so node.exe cannot
// catch it); those lines are counted here instead of printed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const fuzzArgs = [join('fuzz', 'run.mjs'), ...args.filter((a) => a !== '--no-build')];
const isWindows = process.platform === 'win32';
const run = (cmd, cmdArgs, extra = {}) => spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...extra }).status ?? 1;
const tsc = [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'];

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  if (run('npm', ['install', '--no-save', '--no-audit', '--no-fund'], { shell: isWindows }) !== 0) process.exit(1);
}
if (isWindows) {
  if (build && run(process.execPath, tsc) !== 0) process.exit(1);
  process.exit(run(process.execPath, fuzzArgs));
}

const { ensureEnvironment } = await import('./setup-env.mjs');
await ensureEnvironment({ quiet: true });
if (build) {
  if (run(process.execPath, tsc) !== 0) process.exit(1);
  if (run(process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--quiet']) !== 0) process.exit(1);
}
const child = spawn(join(root, 'scripts', 'wine-node'), fuzzArgs, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
let gnutls = 0;
let partial = '';
child.stderr.on('data', (chunk) => {
  const lines = (partial + chunk).split('\n');
  partial = lines.pop();
  for (const line of lines) {
    if (line.startsWith('GnuTLS error:')) gnutls++;
    else process.stderr.write(`${line}\n`);
  }
});
child.on('close', (code, signal) => {
  if (partial) process.stderr.write(partial);
  console.log(`(Wine's GnuTLS printed ${gnutls} "GnuTLS error:" lines to stderr; not shown)`);
  process.exit(code ?? (signal ? 1 : 0));
});
