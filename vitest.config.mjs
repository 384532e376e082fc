// The Linux unit tests only: test/schannel/ runs inside Windows node.exe with node:test (see scripts/test.mjs).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
  },
});
