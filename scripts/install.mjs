// npm "install" hook. Schannel exists only on Windows: there node-gyp-build uses a prebuilt binary
// from prebuilds/ or compiles binding.gyp with MSVC. Everywhere else nothing is compiled, so that
// `npm install` succeeds on Linux and macOS (the package loads there and reports isSupported() false).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

if (process.platform !== 'win32') process.exit(0);
const require = createRequire(import.meta.url);
const bin = require.resolve('node-gyp-build/bin.js');
const result = spawnSync(process.execPath, [bin], { stdio: 'inherit' });
process.exit(result.status ?? 1);
