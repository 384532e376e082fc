// The fuzzer's fixed-seed smoke run (npm run fuzz does 100,000 cases): mutated handshake flights
// and records into acceptSecurityContext, initializeSecurityContext, decryptMessage/decryptRecords
// and the TlsEngine, each batch in a child node process. No crash, no hang, no untyped error, no
// status outside the documented set, no plaintext that was never sent. Then the harness itself: a
// crash and a hang injected into two cases are both caught, attributed and replayed alone.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fuzz, formatSummary, TARGETS } from '../../fuzz/run.mjs';

const SEED = 300;
const CASES = 2000;
const findingsDir = mkdtempSync(join(tmpdir(), 'schannel-fuzz-test-'));
after(() => rmSync(findingsDir, { recursive: true, force: true }));

describe('fuzz smoke run', () => {
  it(`${CASES} fixed-seed cases over every target: zero crashes, hangs and untyped errors`, { timeout: 120_000 }, async (t) => {
    const total = await fuzz({ cases: CASES, seed: SEED, batch: 1000, findingsDir, log: () => {} });
    t.diagnostic(formatSummary(total).trim().split('\n').filter((l) => l).slice(0, 7).join(' | '));
    assert.deepEqual(total.findings.map((f) => `${f.kind} case ${f.index} ${f.target}: ${f.detail}`), []);
    assert.equal(total.cases, CASES);
    for (const target of TARGETS) assert.ok(total.perTarget[target]?.cases > CASES / 5, `target ${target} ran`);
    const codes = Object.keys(total.codes);
    assert.ok(codes.some((c) => /^thrown SEC_E_/.test(c)), `typed failures were seen: ${codes.join(', ')}`);
    assert.ok(codes.includes('returned SEC_E_INCOMPLETE_MESSAGE'), 'short input was reported as SEC_E_INCOMPLETE_MESSAGE');
    assert.equal(total.liveContexts, 0, 'every security context was deleted');
  });

  it('the harness catches an injected crash and an injected hang and replays each alone', { timeout: 120_000 }, async () => {
    const total = await fuzz({ cases: 8, seed: SEED, batch: 8, budget: 400, inject: 'crash@2,hang@5', findingsDir, log: () => {} });
    assert.deepEqual(total.findings.map((f) => [f.kind, f.index, /reproduces alone/.test(f.detail)]), [['crash', 2, true], ['hang', 5, true]]);
    assert.equal(total.cases, 8, 'the run went on after each');
    assert.deepEqual(readdirSync(findingsDir).sort(), ['300-2-crash.json', '300-5-hang.json']);
  });
});
