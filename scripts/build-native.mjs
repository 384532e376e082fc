// Cross-builds the addon for Windows with MinGW-w64, from the sources and defines listed in
// binding.gyp (the one list of native sources; node-gyp + MSVC use the same file on Windows).
// Output: prebuilds/win32-<arch>/schannel.napi.node, the layout node-gyp-build loads.
// Statically linked: the result imports only Windows system DLLs and node.exe.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const quiet = process.argv.includes('--quiet');
const log = (line) => { if (!quiet) console.log(`[build-native] ${line}`); };

const TOOLCHAINS = {
  x64: { prefix: 'x86_64-w64-mingw32', dlltoolMachine: 'i386:x86-64', required: true },
  ia32: { prefix: 'i686-w64-mingw32', dlltoolMachine: 'i386', required: false },
};

// DLLs a built addon may import: the system's and the host executable's.
const ALLOWED_IMPORTS = new Set(['node.exe', 'kernel32.dll', 'secur32.dll', 'crypt32.dll', 'ncrypt.dll',
  'advapi32.dll', 'msvcrt.dll', 'ucrtbase.dll', 'user32.dll', 'ws2_32.dll', 'ntdll.dll']);

function winSettings() {
  const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8'));
  const target = gyp.targets.find((t) => t.target_name === 'schannel');
  const win = target.conditions.find(([condition]) => condition === "OS=='win'")[1];
  return { sources: win.sources, defines: win.defines, libraries: win.libraries };
}

function which(tool) {
  try { execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' }); return true; } catch { return false; }
}

function run(cmd, args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${cmd} ${args.join(' ')}\n${stderr}`))));
  });
}

async function parallel(tasks, limit) {
  let next = 0;
  const workers = Array.from({ length: limit }, async () => {
    while (next < tasks.length) await tasks[next++]();
  });
  await Promise.all(workers);
}

const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

function importsOf(objdump, file) {
  const text = execFileSync(objdump, ['-p', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return [...text.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1].toLowerCase());
}

async function buildArch(arch) {
  const { prefix, dlltoolMachine } = TOOLCHAINS[arch];
  const cxx = `${prefix}-g++-posix`;
  const { sources, defines } = winSettings();
  const headers = join(dirname(require.resolve('node-api-headers/package.json')), 'include');
  const defs = join(dirname(require.resolve('node-api-headers/package.json')), 'def');
  const addonApi = dirname(require.resolve('node-addon-api/package.json'));
  const buildDir = join(root, 'build', `mingw-${arch}`);
  const outDir = join(root, 'prebuilds', `win32-${arch}`);
  mkdirSync(buildDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });

  // node.exe exports Node-API; the .def files name it, dlltool turns them into an import library.
  const importLib = join(buildDir, 'libnode_api.a');
  if (!existsSync(importLib)) {
    const merged = join(buildDir, 'node_api_all.def');
    const jsApi = readFileSync(join(defs, 'js_native_api.def'), 'utf8').split('\n').filter((l) => !/^\s*(NAME|EXPORTS)/.test(l));
    const nodeApi = readFileSync(join(defs, 'node_api.def'), 'utf8');
    (await import('node:fs')).writeFileSync(merged, `${nodeApi}\n${jsApi.join('\n')}\n`);
    await run(`${prefix}-dlltool`, ['-m', dlltoolMachine, '-d', merged, '-l', importLib]);
  }

  const cflags = ['-std=c++17', '-O2', '-g0', '-Wall', '-Wextra', '-Werror', '-Wshadow', '-Wformat=2',
    '-fstack-protector-strong', '-fno-strict-aliasing',
    ...defines.map((d) => `-D${d}`), `-isystem`, headers, `-isystem`, addonApi];
  const objects = [];
  const tasks = [];
  for (const source of sources) {
    const object = join(buildDir, basename(source).replace(/\.cpp$/, '.o'));
    objects.push(object);
    const src = join(root, source);
    const newestInput = Math.max(mtime(src), ...headerMtimes(dirname(src)));
    if (mtime(object) > newestInput) continue;
    tasks.push(async () => { log(`${arch} compile ${source}`); await run(cxx, [...cflags, '-c', src, '-o', object]); });
  }
  await parallel(tasks, 2);

  const output = join(outDir, 'schannel.napi.node');
  if (tasks.length > 0 || !existsSync(output)) {
    log(`${arch} link ${output}`);
    await run(cxx, ['-shared', '-fstack-protector-strong', '-static', '-static-libgcc', '-static-libstdc++', '-s', '-o', output, ...objects,
      `-L${buildDir}`, '-lnode_api', '-lsecur32', '-lcrypt32', '-lncrypt',
      '-Wl,--dynamicbase', '-Wl,--nxcompat', ...(arch === 'x64' ? ['-Wl,--high-entropy-va'] : []), '-Wl,--no-undefined']);
  }
  const imports = importsOf(`${prefix}-objdump`, output);
  const foreign = imports.filter((dll) => !ALLOWED_IMPORTS.has(dll) && !dll.startsWith('api-ms-win-'));
  if (foreign.length > 0) throw new Error(`${output} imports non-system DLLs: ${foreign.join(', ')}`);
  log(`${arch} ok: ${output} (imports ${imports.join(', ')})`);
  return output;
}

function headerMtimes(dir) {
  const dirs = [dir, join(root, 'src-native', 'sspi'), join(root, 'src-native', 'napi')];
  const times = [];
  for (const d of new Set(dirs)) {
    for (const name of (existsSync(d) ? require('node:fs').readdirSync(d) : [])) {
      if (name.endsWith('.h')) times.push(mtime(join(d, name)));
    }
  }
  times.push(mtime(join(root, 'binding.gyp')));
  return times;
}

const built = [];
for (const [arch, toolchain] of Object.entries(TOOLCHAINS)) {
  if (!which(`${toolchain.prefix}-g++-posix`)) {
    if (toolchain.required) {
      console.error(`[build-native] missing ${toolchain.prefix}-g++-posix: run \`node scripts/setup-env.mjs\` (installs g++-mingw-w64-x86-64-posix)`);
      process.exit(1);
    }
    log(`${arch}: ${toolchain.prefix}-g++-posix not installed, skipped`);
    continue;
  }
  try {
    built.push(await buildArch(arch));
  } catch (error) {
    if (toolchain.required) { console.error(`[build-native] ${error.message}`); process.exit(1); }
    log(`${arch}: build failed, skipped (optional): ${error.message.split('\n')[0]}`);
  }
}
void copyFileSync;
