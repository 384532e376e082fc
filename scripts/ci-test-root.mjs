// Windows CI only: makes a test PKI, trusts its root in LocalMachine\Root for the run (so that
// Schannel's own certificate validation can be tested), and removes it afterwards.
//   node scripts/ci-test-root.mjs install | remove
// The material goes to test/.generated/machine-root/ (root.pem, pki.json); the tests find it there.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'test', '.generated', 'machine-root');
const action = process.argv[2];
const powershell = (script) => execFileSync('powershell', ['-NoProfile', '-NonInteractive', '-Command', script], { stdio: 'inherit' });

if (process.platform !== 'win32') {
  console.error('ci-test-root: only for Windows (it changes LocalMachine\\Root)');
  process.exit(2);
}
if (action === 'install') {
  const { makeTestPki } = createRequire(import.meta.url)('../test/support/pki.cjs');
  const pki = makeTestPki();
  mkdirSync(dir, { recursive: true });
  const rootPem = join(dir, 'root.pem');
  writeFileSync(rootPem, pki.root.certPem);
  const material = Object.fromEntries(['root', 'intermediate', 'leaf', 'expired', 'wrongHost', 'client'].map((k) => [k, { certPem: pki[k].certPem, keyPem: pki[k].keyPem }]));
  writeFileSync(join(dir, 'pki.json'), JSON.stringify(material));
  powershell(`Import-Certificate -FilePath '${rootPem}' -CertStoreLocation Cert:\\LocalMachine\\Root | Out-Null`);
  console.log(`ci-test-root: trusted ${new X509Certificate(pki.root.certPem).fingerprint.replace(/:/g, '')} in LocalMachine\\Root`);
} else if (action === 'remove') {
  const rootPem = join(dir, 'root.pem');
  if (!existsSync(rootPem)) process.exit(0);
  const thumbprint = new X509Certificate(readFileSync(rootPem)).fingerprint.replace(/:/g, '');
  powershell(`Get-ChildItem Cert:\\LocalMachine\\Root\\${thumbprint} -ErrorAction SilentlyContinue | Remove-Item`);
  rmSync(dir, { recursive: true, force: true });
  console.log(`ci-test-root: removed ${thumbprint}`);
} else {
  console.error('usage: node scripts/ci-test-root.mjs install|remove');
  process.exit(2);
}
