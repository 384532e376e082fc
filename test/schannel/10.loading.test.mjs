// The binary loads in node.exe, the public surface is there, and errors carry the system's text.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const schannel = require('../..');

describe('loading', () => {
  it('isSupported() is true on Windows and no reason is given', () => {
    assert.equal(process.platform, 'win32');
    assert.equal(schannel.isSupported(), true);
    assert.equal(schannel.unsupportedReason(), undefined);
  });

  it('a second require gives the same module (one binding per process)', () => {
    assert.equal(require('../..'), schannel);
  });

  it('debugStats() reports the live-handle counters as non-negative integers', () => {
    const stats = schannel.debugStats();
    for (const name of ['credentials', 'contexts', 'certStores', 'certContexts', 'contextBuffers']) assert.ok(name in stats, name);
    for (const [name, value] of Object.entries(stats)) {
      assert.ok(Number.isInteger(value) && value >= 0, `${name} = ${value}`);
    }
    assert.notEqual(schannel.debugStats(), stats, 'each call returns a new snapshot');
  });

  it('exports the Windows names with their header values', () => {
    assert.equal(schannel.SecStatus.SEC_I_CONTINUE_NEEDED, 0x00090312);
    assert.equal(schannel.SecStatus.SEC_E_INCOMPLETE_MESSAGE, 0x80090318);
    assert.equal(schannel.IscReq.STREAM, 0x00008000);
    assert.equal(schannel.SecBufferType.EXTRA, 5);
    assert.equal(typeof schannel.SchannelError, 'function');
  });

  it("a failed call's message names the function, the system's text, the status name and its hex", () => {
    assert.throws(() => schannel.acquireCredentialsHandle({ package: 'No Such Package' }), (err) => {
      assert.ok(err instanceof schannel.SchannelError);
      assert.ok(err instanceof Error);
      assert.equal(err.name, 'SchannelError');
      assert.equal(err.code, 'SEC_E_SECPKG_NOT_FOUND');
      assert.equal(err.status, 0x80090305);
      assert.equal(err.statusName, 'SEC_E_SECPKG_NOT_FOUND');
      assert.equal(err.functionName, 'AcquireCredentialsHandleW');
      assert.match(err.message, /^AcquireCredentialsHandleW failed: \S.*\S \(SEC_E_SECPKG_NOT_FOUND, 0x80090305\)$/);
      return true;
    });
  });
});
