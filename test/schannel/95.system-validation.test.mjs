// Schannel's own certificate validation (no MANUAL_CRED_VALIDATION): the mode the project does not
// use by default (it validates through crypt32 itself), but one the low-level API must reach.
// Needs a root trusted in LocalMachine\Root: Windows CI installs one (scripts/ci-test-root.mjs).
// Wine's Schannel validates nothing, so under Wine these are explicit skips.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isWine, NET_TIMEOUT, startNodeTlsServer } from '../support/peers.mjs';
import { clientHandshake, closeRun } from '../support/handshake.mjs';

const require = createRequire(import.meta.url);
const schannel = require('../..');
const materialFile = new URL('../.generated/machine-root/pki.json', import.meta.url);
const material = existsSync(materialFile) ? JSON.parse(readFileSync(materialFile, 'utf8')) : null;
const required = process.env.SCHANNEL_REQUIRE_WINDOWS_CHECKS === '1';

function skipReason() {
  if (isWine) return 'Wine: its Schannel performs no certificate validation (platform notes); runs on Windows CI';
  if (!material && !required) return 'no test root in LocalMachine\\Root (run scripts/ci-test-root.mjs install, as Windows CI does)';
  return null;
}

const skip = skipReason() ?? false;

describe('Schannel automatic validation (SCH_CRED_AUTO_CRED_VALIDATION)', () => {
  let good;
  let wrongHost;
  before(async () => {
    if (skip) return;
    assert.ok(material, 'SCHANNEL_REQUIRE_WINDOWS_CHECKS=1 but test/.generated/machine-root/pki.json is missing');
    const chain = material.leaf.certPem + material.intermediate.certPem;
    good = await startNodeTlsServer({ key: material.leaf.keyPem, cert: chain });
    wrongHost = await startNodeTlsServer({ key: material.wrongHost.keyPem, cert: material.wrongHost.certPem + material.intermediate.certPem });
  });
  after(async () => {
    await good?.stop();
    await wrongHost?.stop();
  });

  const credential = () => schannel.acquireCredentialsHandle({ flags: ['AUTO_CRED_VALIDATION', 'NO_DEFAULT_CREDS'] });
  const contextReq = schannel.IscReq.CONFIDENTIALITY | schannel.IscReq.STREAM | schannel.IscReq.ALLOCATE_MEMORY | schannel.IscReq.EXTENDED_ERROR;

  it('accepts a chain to the trusted root for the right name', { timeout: NET_TIMEOUT, skip }, async () => {
    const run = await clientHandshake({ port: good.port, credential: credential(), targetName: 'localhost', contextReq });
    assert.equal(run.last.statusName, 'SEC_E_OK');
    closeRun(run);
  });

  it('refuses a wrong name with SEC_E_WRONG_PRINCIPAL', { timeout: NET_TIMEOUT, skip }, async () => {
    await assert.rejects(
      clientHandshake({ port: wrongHost.port, credential: credential(), targetName: 'localhost', contextReq }),
      (error) => error instanceof schannel.SchannelError && error.code === 'SEC_E_WRONG_PRINCIPAL',
    );
  });
});
