// `npm run demo`: the main job on an embedded default. A local HTTPS server with a generated CA,
// fetched through Schannel, with the handshake report. On Linux it runs inside Windows node.exe
// under Wine, setting up the environment and building first when needed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, extra = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...extra }).status ?? 1;

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  if (run('npm', ['install', '--no-save', '--no-audit', '--no-fund'], { shell: process.platform === 'win32' }) !== 0) process.exit(1);
}
if (process.platform === 'win32') {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js')) && run('npm', ['run', 'build:ts'], { shell: true }) !== 0) process.exit(1);
  process.exit(run(process.execPath, [join(root, 'scripts', 'demo-main.cjs')]));
}
const { ensureEnvironment } = await import('./setup-env.mjs');
await ensureEnvironment({ quiet: true });
if (run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']) !== 0) process.exit(1);
if (run(process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--quiet']) !== 0) process.exit(1);
process.exit(run(join(root, 'scripts', 'wine-node'), [join('scripts', 'demo-main.cjs')]));
