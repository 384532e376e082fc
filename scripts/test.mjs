// `npm test`: sets up what is missing, builds, runs the Linux unit tests (vitest) and the
// real-Schannel suite (node:test inside Windows node.exe under Wine 10 on Linux; natively on
// Windows), then prints each suite's counts, every skip with its reason, and one closing line
// `N passed, N failed, N skipped` for the whole.
//
//   node scripts/test.mjs [--unit-only | --wine-only] [--node=24,22] [--no-build]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1) ?? fallback;
const isWindows = process.platform === 'win32';
const resultsDir = join(root, 'test', '.generated', 'results');
const say = (line) => console.log(`[test] ${line}`);

function step(title, command, commandArgs, options = {}) {
  say(`${title}: ${command} ${commandArgs.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', shell: isWindows, ...options });
  if (result.status !== 0) {
    console.error(`[test] ${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  say(`${title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// npm packages: install when node_modules is missing or older than the lock file.
function ensurePackages() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) {
    say('npm packages: ok (installed)');
    return;
  }
  // Not `npm ci`: npm 11 writes lock files without other platforms' optional packages (rollup's
  // native builds) and `npm ci` then refuses them as out of sync. --no-save keeps the lock as it is.
  step('npm packages', 'npm', ['install', '--no-save', '--no-audit', '--no-fund']);
}

// Wine's GnuTLS writes a "GnuTLS error: ..." line to stderr for every malformed input the tests
// feed it on purpose (about a thousand in the fuzz smoke run); they are counted, not printed.
const wineNoise = /^GnuTLS error: .*$/;
let wineNoiseLines = 0;

function runCapturing(command, commandArgs, options = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], shell: isWindows, ...options });
    let out = '';
    let pendingErr = '';
    child.stdout.on('data', (chunk) => { out += chunk; process.stdout.write(chunk); });
    child.stderr.on('data', (chunk) => {
      const lines = (pendingErr + chunk).split('\n');
      pendingErr = lines.pop();
      for (const line of lines) {
        if (wineNoise.test(line)) wineNoiseLines += 1;
        else process.stderr.write(`${line}\n`);
      }
    });
    child.on('close', (code) => {
      if (pendingErr) process.stderr.write(pendingErr);
      resolvePromise({ code: code ?? 1, out });
    });
  });
}

async function unitSuite() {
  mkdirSync(resultsDir, { recursive: true });
  const json = join(resultsDir, 'vitest.json');
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const { code } = await runCapturing(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`]);
  if (!existsSync(json)) return { name: 'unit (vitest, Linux node)', passed: 0, failed: 1, skipped: 0, skips: [], failures: [], error: `vitest exited ${code} without results` };
  const report = JSON.parse(readFileSync(json, 'utf8'));
  const skips = [];
  const failures = [];
  for (const file of report.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') skips.push(`${relative(root, file.name)} > ${t.fullName}`);
      if (t.status === 'failed') failures.push(`${relative(root, file.name)} > ${t.fullName}\n${(t.failureMessages ?? []).join('\n').split('\n').slice(0, 10).map((l) => `        ${l}`).join('\n')}`);
    }
  }
  return {
    name: `unit (vitest, ${process.platform} node ${process.version})`,
    passed: report.numPassedTests,
    failed: report.numFailedTests + (code !== 0 && report.numFailedTests === 0 ? 1 : 0),
    skipped: report.numPendingTests + report.numTodoTests,
    skips,
    failures,
  };
}

function schannelTestFiles() {
  const dir = join(root, 'test', 'schannel');
  return readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join('test', 'schannel', f));
}

// node:test's TAP ends with "# pass N" etc.; skipped tests carry "# SKIP reason".
function parseTap(text) {
  const count = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)`, 'm'))?.[1] ?? 0);
  const skips = [
    ...[...text.matchAll(/^\s*ok \d+ - (.*?) # SKIP ?(.*)$/gm)].map((m) => `${m[1]}: ${m[2] || '(no reason given)'}`),
    ...[...text.matchAll(/^\s*(?:not )?ok \d+ - (.*?) # TODO ?(.*)$/gm)].map((m) => `TODO ${m[1]}: ${m[2] || '(no reason given)'}`),
  ];
  // node:test leaves a skipped suite out of "# skipped"; every "# SKIP" line counts here, suites too.
  const skipped = Math.max(count('skipped') + count('todo'), skips.length);
  return { tests: count('tests'), passed: count('pass'), failed: count('fail') + count('cancelled'), skipped, skips, failures: tapFailures(text) };
}

// Each failing leaf test with the first lines of its YAML block (error, location), so the end of
// the output, which is all a CI log may keep, says what failed and why. Suites that failed only
// because a child did are left out.
function tapFailures(text) {
  const lines = text.split('\n');
  const failures = [];
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(/^(\s*)not ok \d+ - (.*?)(?: # TODO.*)?$/);
    if (!m || lines[i].includes('# TODO')) continue;
    const detail = [];
    for (let j = i + 1; j < lines.length && !/^\s*\.\.\.\s*$/.test(lines[j]); j++) {
      if (/^\s*(duration_ms|type):/.test(lines[j]) || /^\s*---\s*$/.test(lines[j])) continue;
      detail.push(lines[j].trim());
    }
    if (detail.some((l) => l.startsWith("failureType: 'subtestsFailed'"))) continue;
    failures.push(`${m[2]}\n${detail.slice(0, 14).map((l) => `        ${l}`).join('\n')}`);
  }
  return failures;
}

async function schannelSuite(major) {
  mkdirSync(resultsDir, { recursive: true });
  const tapFile = join(resultsDir, `schannel-node${major}.tap`);
  // Node 22 knows the isolation switch only by its experimental name; --expose-gc lets the handle
  // tests prove that garbage collection frees what was not disposed.
  const nodeMajor = major === 'native' ? process.versions.node.split('.')[0] : major;
  const isolation = nodeMajor === '22' ? '--experimental-test-isolation=none' : '--test-isolation=none';
  const nodeArgs = ['--expose-gc', '--test', isolation, '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${relative(root, tapFile)}`, ...schannelTestFiles()];
  const env = { ...process.env, SCHANNEL_WINE_NODE: major, SCHANNEL_TEST_RUNTIME: isWindows ? 'windows' : 'wine' };
  let code;
  if (isWindows) {
    ({ code } = await runCapturing(process.execPath, nodeArgs, { env, shell: false }));
  } else {
    // Windows programs under Wine cannot start Linux ones, so the Linux-side peers (openssl
    // s_server/s_client, Linux node) are started on the tests' behalf by this loopback service.
    const { startPeerService } = await import('./peer-service.mjs');
    const peers = await startPeerService({ maxLifetimeMs: 30 * 60_000 });
    try {
      ({ code } = await runCapturing(join(root, 'scripts', 'wine-node'), nodeArgs, { env: { ...env, ...peers.env }, shell: false }));
    } finally {
      await peers.close();
    }
  }
  const name = isWindows ? `schannel (node ${process.version}, Windows)` : `schannel (Windows node.exe ${major} under Wine 10)`;
  if (!existsSync(tapFile)) return { name, passed: 0, failed: 1, skipped: 0, skips: [], error: `exited ${code} without a report` };
  const tap = parseTap(readFileSync(tapFile, 'utf8'));
  const failed = tap.failed + (code !== 0 && tap.failed === 0 ? 1 : 0);
  if (tap.tests === 0) return { name, passed: 0, failed: 1, skipped: 0, skips: [], error: 'ran no test' };
  return { name, passed: tap.passed, failed, skipped: tap.skipped, skips: tap.skips, failures: tap.failures, error: code !== 0 && tap.failed === 0 ? `exit code ${code}` : undefined };
}

async function main() {
  const unitOnly = flag('--unit-only');
  const wineOnly = flag('--wine-only');
  const majors = option('--node', isWindows ? 'native' : '24,22').split(',');

  ensurePackages();
  if (!isWindows && !unitOnly) {
    const { ensureEnvironment } = await import('./setup-env.mjs');
    const started = Date.now();
    await ensureEnvironment({ versions: majors });
    say(`environment: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  if (!flag('--no-build')) {
    step('build: TypeScript', process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
    if (isWindows) step('build: addon (node-gyp, MSVC)', 'npx', ['node-gyp', 'rebuild']);
    else if (!unitOnly) step('build: addon (MinGW-w64 cross build)', process.execPath, [join(root, 'scripts', 'build-native.mjs')]);
  }

  // Lint: the workflow files through actionlint (the Windows checks live there).
  step('lint: workflows (actionlint)', process.execPath, [join(root, 'scripts', 'lint-workflows.mjs')]);

  const suites = [];
  if (!wineOnly) suites.push(await unitSuite());
  if (!unitOnly) for (const major of majors) suites.push(await schannelSuite(major));

  console.log('\n[test] summary');
  let passed = 0, failed = 0, skipped = 0;
  for (const s of suites) {
    passed += s.passed; failed += s.failed; skipped += s.skipped;
    console.log(`  ${s.name}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped${s.error ? ` (${s.error})` : ''}`);
    for (const skip of s.skips) console.log(`    skipped: ${skip}`);
  }
  for (const s of suites) for (const failure of s.failures ?? []) console.log(`  FAILED in ${s.name}: ${failure}`);
  if (wineNoiseLines > 0) console.log(`  (${wineNoiseLines} "GnuTLS error:" lines from Wine on deliberately bad input were not printed)`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
