// On Linux and macOS the package loads, says it is unsupported, and every Schannel call throws one
// typed error naming the platform and every path that was looked at.
import { describe, expect, it } from 'vitest';
import * as schannel from '../../lib';
import { candidatePaths } from '../../lib/native';

const onWindows = process.platform === 'win32';

describe.skipIf(onWindows)('without Windows', () => {
  it('imports without throwing and reports isSupported() false', () => {
    expect(schannel.isSupported()).toBe(false);
    expect(schannel.unsupportedReason()?.code).toBe('ERR_SCHANNEL_UNSUPPORTED');
  });

  it('throws ERR_SCHANNEL_UNSUPPORTED naming the platform and every path tried', () => {
    let error: unknown;
    try {
      schannel.acquireCredentialsHandle();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(schannel.SchannelError);
    const e = error as schannel.SchannelError & { pathsTried: string[] };
    expect(e.code).toBe('ERR_SCHANNEL_UNSUPPORTED');
    expect(e.message).toContain(`"${process.platform}"`);
    for (const path of candidatePaths()) expect(e.message).toContain(path);
    expect(e.pathsTried).toHaveLength(candidatePaths().length);
  });

  it('debugStats() throws the same error', () => {
    expect(() => schannel.debugStats()).toThrowError(expect.objectContaining({ code: 'ERR_SCHANNEL_UNSUPPORTED' }));
  });
});

describe('candidate paths', () => {
  it('honours SCHANNEL_BINDING_PATH first, then build/Release, then prebuilds/<platform>-<arch>', () => {
    const previous = process.env.SCHANNEL_BINDING_PATH;
    process.env.SCHANNEL_BINDING_PATH = '/custom/schannel.node';
    try {
      const paths = candidatePaths('win32', 'x64');
      expect(paths[0]).toBe('/custom/schannel.node');
      expect(paths[1]).toMatch(/build[\\/]Release[\\/]schannel\.node$/);
      expect(paths[2]).toMatch(/prebuilds[\\/]win32-x64[\\/]schannel\.napi\.node$/);
    } finally {
      if (previous === undefined) delete process.env.SCHANNEL_BINDING_PATH;
      else process.env.SCHANNEL_BINDING_PATH = previous;
    }
  });
});
