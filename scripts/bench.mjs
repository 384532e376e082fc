// `npm run bench [-- --quick] [-- --only=1,3] [-- --no-build]`: the benchmark of bench/run.mjs.
// On Windows it builds (tsc, node-gyp) and runs `node --expose-gc bench/run.mjs` natively. On
// Linux it first makes sure of the environment (Wine root filesystem, node.exe), builds tsc and
// the MinGW addon, then runs the same script inside Windows node.exe 24 under Wine, passing in what
// only the Linux side can see (the Wine version, the host CPU and OS, the commit).
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const benchArgs = args.filter((a) => a !== '--no-build');
const isWindows = process.platform === 'win32';
const run = (cmd, cmdArgs, extra = {}) => spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...extra }).status ?? 1;
const capture = (cmd, cmdArgs, extra = {}) => {
  try {
    return execFileSync(cmd, cmdArgs, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], ...extra }).trim();
  } catch {
    return null;
  }
};

function commit() {
  const head = capture('git', ['rev-parse', '--short', 'HEAD']);
  if (!head) return undefined;
  return capture('git', ['status', '--porcelain']) ? `${head}+changes` : head;
}

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  if (run('npm', ['install', '--no-save', '--no-audit', '--no-fund'], { shell: isWindows }) !== 0) process.exit(1);
}
const tsc = [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'];
const env = { ...process.env, SCHANNEL_BENCH_COMMIT: commit() ?? '' };

if (isWindows) {
  if (build) {
    if (run(process.execPath, tsc) !== 0) process.exit(1);
    if (run('npx', ['node-gyp', 'rebuild'], { shell: true }) !== 0) process.exit(1);
  }
  process.exit(run(process.execPath, ['--expose-gc', join(root, 'bench', 'run.mjs'), ...benchArgs], { env }));
}

const { ensureEnvironment } = await import('./setup-env.mjs');
const environment = await ensureEnvironment({ versions: ['24'], scope: 'wine', quiet: true });
if (build) {
  if (run(process.execPath, tsc) !== 0) process.exit(1);
  if (run(process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--quiet']) !== 0) process.exit(1);
}
// `wine --version` inside the root filesystem (the internal mode of scripts/wine-node).
const wine = capture(join(root, 'scripts', 'wine-node'), ['wine', '--version'], {
  env: { ...process.env, SCHANNEL_WINE_EXEC: '1', SCHANNEL_ROOTFS: environment.rootfs, SCHANNEL_WINEPREFIX: environment.winePrefix },
});
const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? os.cpus()[0]?.model;
const release = capture('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']);
Object.assign(env, {
  SCHANNEL_WINE_NODE: '24',
  SCHANNEL_WINE_VERSION: wine ?? 'Wine (version unknown)',
  SCHANNEL_BENCH_HOST_CPU: cpu ?? '',
  SCHANNEL_BENCH_HOST_OS: `${release ?? 'Linux'}, kernel ${os.release()}`,
});
process.exit(run(join(root, 'scripts', 'wine-node'), ['--expose-gc', join('bench', 'run.mjs'), ...benchArgs], { env }));
